/** Labels attached to a metric sample. */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Where the processor and the dead-letter queue report metrics (wire it to prom-client, StatsD,
 * OpenTelemetry…). The same `increment`/`observe`/`gauge` shape as `@bulwark/delivery`'s
 * `DeliveryMetrics`, so one adapter serves both. Names (labels in parentheses):
 * - counters `bullmq.job.completed` (`queue`), `bullmq.job.retry` (`queue`, `code`): failed
 *   with attempts left and a retryable code, `bullmq.job.failed` (`queue`, `code`): failed for
 *   good (non-retryable code or last attempt), `bullmq.job.rejected` (`queue`, `breaker`): the
 *   dependency's breaker was open, so the processor did not run (retried after the breaker's wait);
 * - `bullmq.job.duration_ms` observations (`queue`, `outcome`);
 * - counters `bullmq.dlq.moved` (`queue`, `code`) and `bullmq.dlq.requeued` (`queue`);
 * - gauge `bullmq.dlq.size` (`queue`), emitted by `stats()` of the dead-letter queue.
 *
 * A hook that throws is ignored: metrics never change a job's outcome.
 *
 * @example
 * ```ts
 * const metrics: JobMetrics = {
 *   increment: (name, labels) => console.log(name, labels),
 *   observe: (name, value, labels) => console.log(name, value, labels),
 *   gauge: (name, value, labels) => console.log(name, value, labels),
 * };
 * ```
 */
export interface JobMetrics {
  /** Adds one to the counter `name`. */
  increment(name: string, labels?: MetricLabels): void;
  /** Records one observation (a duration in ms) of `name`. */
  observe(name: string, value: number, labels?: MetricLabels): void;
  /** Sets the gauge `name`. */
  gauge(name: string, value: number, labels?: MetricLabels): void;
}

/**
 * A metrics sink that drops everything (the default).
 *
 * @example
 * ```ts
 * const processor = createProcessor(handle, { metrics: noopJobMetrics });
 * ```
 */
export const noopJobMetrics: JobMetrics = Object.freeze({
  increment() {},
  observe() {},
  gauge() {},
});
