import { type CircuitBreaker, createBreakerRegistry, isBrokenCircuitError } from '@bulwark/breaker';
import { systemClock } from '@bulwark/core';
import { isBulwarkError } from '@bulwark/errors';
import { DelayedError } from 'bullmq';
import { isControlFlowError } from './internal/control-flow.js';
import { toJobFailure } from './internal/job-failure.js';
import { safeMetrics } from './internal/safe-metrics.js';
import { classifyJobError } from './job-error-classification.js';
import { noopJobMetrics } from './job-metrics.js';
import { type ProcessedJob, type ProcessorOptions, resolveProcessorOptions } from './processor-options.js';

/** What the wrapped handler receives besides the job. */
export interface ProcessorContext {
  /** The worker's lock token for the job (BullMQ's second processor argument). */
  readonly token: string | undefined;
  /** Aborts when BullMQ cancels the job or the breaker's `timeoutMs` gives up on the call. */
  readonly signal: AbortSignal;
}

/** The function BullMQ's `Worker` calls: `(job, token?, signal?) => Promise<result>`. */
export type WrappedProcessor<J, R> = (job: J, token?: string, signal?: AbortSignal) => Promise<R>;

function isLoadShedding(error: unknown): boolean {
  return isBulwarkError(error) && (error.code === 'circuit_open' || error.code === 'bulkhead_full');
}

/**
 * Wraps a BullMQ processor: each job runs under the circuit breaker of its dependency (named by
 * its queue, its job name or your function), and what it throws is classified through the
 * `err()` taxonomy. A non-retryable code (`validation_failed`, `not_found`, your
 * `card_declined`…) becomes BullMQ's `UnrecoverableError`: no retry, straight to failed (and the
 * dead-letter queue). A retryable one is rethrown as `[code] message` carrying the error's
 * Retry-After or rate-limit hint for {@link createBackoffStrategy}. A job refused by an open
 * breaker is not run and spends no attempt: it is moved to delayed until the breaker may admit
 * calls. BullMQ's control-flow errors (`DelayedError`, `WaitingChildrenError`, rate limit) pass
 * through untouched. Metrics per outcome: see {@link JobMetrics}.
 *
 * @param handler - Your processor: `(job, { token, signal }) => result`.
 * @param options - Breakers, classification, hint cap, metrics, clock.
 * @throws {TypeError | RangeError} when an option is invalid, naming it.
 * @example
 * ```ts
 * import { Worker } from 'bullmq';
 *
 * const processor = createProcessor(async (job, { signal }) => sendInvoice(job.id, signal));
 * new Worker('invoices', processor, { connection, settings: { backoffStrategy: createBackoffStrategy() } });
 * ```
 */
export function createProcessor<J extends ProcessedJob, R>(
  handler: (job: J, context: ProcessorContext) => R | PromiseLike<R>,
  options: ProcessorOptions<J> = {},
): WrappedProcessor<J, R> {
  if (typeof handler !== 'function')
    throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
  const { rejectedDelayMs, maxRetryAfterMs } = resolveProcessorOptions(options as ProcessorOptions<never>);
  const clock = options.clock ?? systemClock;
  const metrics = safeMetrics(options.metrics ?? noopJobMetrics);
  const breakers = options.breakers ?? createBreakerRegistry({ clock });
  const naming = options.breakerName ?? 'queue';
  const classify = (error: unknown) => classifyJobError(error, clock.now(), options);
  const breakerOptions = {
    isFailure: (error: unknown) => classify(error).retryable,
    isIgnored: (error: unknown) => isLoadShedding(error) || isControlFlowError(error),
    ...options.breaker,
  };

  function breakerOf(job: J): CircuitBreaker {
    let name: unknown = job.queueName;
    if (naming === 'job') name = job.name;
    else if (typeof naming === 'function') name = naming(job);
    return breakers.get(typeof name === 'string' && name !== '' ? name : job.queueName, breakerOptions);
  }

  return async (job, token, signal) => {
    const started = clock.now();
    const queue = job.queueName;
    const breaker = breakerOf(job);
    try {
      const result = await breaker.execute(
        (callSignal) => handler(job, { token, signal: callSignal }),
        signal === undefined ? undefined : { signal },
      );
      metrics.increment('bullmq.job.completed', { queue });
      metrics.observe('bullmq.job.duration_ms', clock.now() - started, { queue, outcome: 'completed' });
      return result;
    } catch (error) {
      if (isControlFlowError(error)) throw error;
      if (isBrokenCircuitError(error) && error.breaker === breaker.name && token !== undefined) {
        // Refused before running: wait for the breaker without spending an attempt.
        await job.moveToDelayed(clock.now() + Math.max(error.retryAfterMs, rejectedDelayMs), token);
        metrics.increment('bullmq.job.rejected', { queue, breaker: breaker.name });
        throw new DelayedError();
      }
      const classification = classify(error);
      const hintTooLong = classification.retryAfterMs !== undefined && classification.retryAfterMs > maxRetryAfterMs;
      const retryable = classification.retryable && !hintTooLong;
      const attempts = typeof job.opts.attempts === 'number' ? job.opts.attempts : 1;
      const outcome = retryable && job.attemptsMade + 1 < attempts ? 'retry' : 'failed';
      metrics.increment(`bullmq.job.${outcome}`, { queue, code: classification.code });
      metrics.observe('bullmq.job.duration_ms', clock.now() - started, { queue, outcome });
      throw toJobFailure(error, classification, retryable);
    }
  };
}
