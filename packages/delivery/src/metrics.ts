/** Labels attached to a metric sample. */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Where the dispatcher reports metrics (wire it to prom-client, StatsD, OpenTelemetry…).
 * Names (`<mode>` is `real` or `simulated`):
 * - counters `webhook.sent.<mode>`, `webhook.error.<mode>`, `webhook.retry_success.<mode>`,
 *   `webhook.dead_letter.<mode>` (labels `endpoint`, and `simulated`: `"true"` when nothing was sent);
 * - counter `webhook.lease_lost` (labels `endpoint`, `mode`): an attempt whose lease was lost
 *   (renewals failed and another worker claimed it), aborted or not committed;
 * - `webhook.attempt.latency_ms` observations (labels `endpoint`, `mode`, `outcome`);
 * - `webhook.pruned` observations: succeeded deliveries deleted by one prune run (when > 0);
 * - gauges `webhook.queue.depth`, `webhook.dlq.size` and `webhook.endpoint.state`
 *   (1 enabled, 0 disabled; label `endpoint`), emitted by `dispatcher.stats()`.
 */
export interface DeliveryMetrics {
  increment(name: string, labels?: MetricLabels): void;
  observe(name: string, value: number, labels?: MetricLabels): void;
  gauge(name: string, value: number, labels?: MetricLabels): void;
}

/** A metrics sink that drops everything. */
export const noopMetrics: DeliveryMetrics = Object.freeze({
  increment() {},
  observe() {},
  gauge() {},
});
