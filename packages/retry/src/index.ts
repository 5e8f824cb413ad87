/**
 * Retries on p-retry ({@link retry}, {@link createRetry}): exponential backoff with full,
 * equal or no jitter ({@link backoffDelay}), `Retry-After` in seconds or HTTP-date
 * ({@link parseRetryAfter}) capped by `maxRetryAfterMs`, a retry budget shared across calls
 * ({@link createRetryBudget}), and injected timers. Never retries `circuit_open`,
 * `bulkhead_full`, caller aborts or `retryable: false` errors ({@link isRetryable}).
 * Runs on Node.js and edge runtimes.
 *
 * @module
 */
export { isRetryable } from './is-retryable.js';
export { type BackoffOptions, backoffDelay, type Jitter } from './jitter.js';
export { createRetry, type RetryAttempt, type RetryPolicy, retry } from './retry.js';
export { parseRetryAfter, retryAfterFromError } from './retry-after.js';
export {
  createRetryBudget,
  type RetryBudget,
  type RetryBudgetOptions,
  type RetryBudgetSnapshot,
} from './retry-budget.js';
export type { RetryContext, RetryEvent, RetryOptions } from './retry-options.js';
