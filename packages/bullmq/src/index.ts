/**
 * BullMQ, hardened: {@link createProcessor} runs each job under its dependency's circuit breaker
 * and classifies failures through the `err()` taxonomy of `@bulwark/errors` (non-retryable codes
 * fail at once, retryable ones carry their Retry-After / rate-limit hint to
 * {@link createBackoffStrategy}), with metrics per outcome; {@link createDeadLetterQueue} keeps
 * jobs that failed for good, with their code and attempts, and requeues them by id, code or all;
 * {@link createDeadLetterRoutes} serves its admin routes. Node.js only (BullMQ runs on ioredis).
 *
 * @module
 */
export {
  BACKOFF_TYPE,
  type BackoffJob,
  type BackoffStrategyOptions,
  createBackoffStrategy,
  DEFAULT_MAX_RETRY_AFTER_MS,
  type JobBackoffStrategy,
} from './backoff-strategy.js';
export {
  type DeadLetterEntry,
  deadLetterEntrySchema,
  type FailedJob,
  type KeepJobsOption,
  type RequeueOptions,
} from './dead-letter-entry.js';
export { createDeadLetterQueue, type DeadLetterQueue, type DeadLetterQueueOptions } from './dead-letter-queue.js';
export type {
  DeadLetterStats,
  MirrorOptions,
  MirrorResult,
  RequeueResult,
  RequeueSelector,
} from './dead-letter-results.js';
export {
  createDeadLetterRoutes,
  type DeadLetterRouteHandler,
  type DeadLetterRoutesOptions,
  mirrorFailedBodySchema,
  requeueBodySchema,
} from './dead-letter-routes.js';
export { formatFailureReason, MAX_FAILURE_MESSAGE_LENGTH, parseFailureCode } from './failure-reason.js';
export {
  type ClassifyOptions,
  classifyJobError,
  type ErrorVerdict,
  FOREIGN_ERROR_CODE,
  type JobErrorClassification,
} from './job-error-classification.js';
export { type JobMetrics, type MetricLabels, noopJobMetrics } from './job-metrics.js';
export { createProcessor, type ProcessorContext, type WrappedProcessor } from './processor.js';
export type { BreakerNaming, ProcessedJob, ProcessorOptions } from './processor-options.js';
export type { QueueLike, StoredJob, WorkerLike } from './queue-like.js';
export { retryHintMs } from './retry-hint.js';
// Not exported: the control-flow check, the failure error factory, the metrics guard, the option
// method check and the body reader are implementation details behind the factories above.
