import { isBulwarkError } from '@bulwark/errors';

/** Codes that mean "do not call again now": retrying them would only add load. */
const NEVER_RETRIED: ReadonlySet<string> = new Set(['circuit_open', 'bulkhead_full']);

/**
 * Whether an attempt's failure may be retried at all, before `shouldRetry` and the budget
 * are asked: never when the caller aborted (`signal.aborted`), never `circuit_open` or
 * `bulkhead_full`, never an error marked `retryable: false` (any Bulwark error, or any error
 * object carrying that flag).
 *
 * @param error - The failure.
 * @param signal - The caller's signal.
 * @example
 * ```ts
 * isRetryable(err('not_found')); // false: not_found is not retryable
 * ```
 */
export function isRetryable(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return false;
  if (isBulwarkError(error) && NEVER_RETRIED.has(error.code)) return false;
  if (typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false) {
    return false;
  }
  return true;
}
