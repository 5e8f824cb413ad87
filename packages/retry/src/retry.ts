import { delay, neverAbortedSignal } from '@bulwark/core';
import pRetry from 'p-retry';
import { isRetryable } from './is-retryable.js';
import { backoffDelay } from './jitter.js';
import { retryAfterFromError } from './retry-after.js';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from './retry-options.js';

/** What each attempt receives. */
export interface RetryAttempt {
  /** 1 for the first attempt. */
  readonly attemptNumber: number;
  /** The caller's signal (or one that never aborts): pass it on to the I/O. */
  readonly signal: AbortSignal;
}

/** A reusable retry policy with options validated once; see {@link createRetry}. */
export interface RetryPolicy {
  /** Runs `fn` with retries; `fn` receives the signal (compatible with `wrap` from `@bulwark/breaker`). */
  execute<T>(
    fn: (signal: AbortSignal) => PromiseLike<T> | T,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<T>;
  /** Runs `fn` with retries; `fn` receives the attempt number and the signal. */
  run<T>(fn: (attempt: RetryAttempt) => PromiseLike<T> | T, options?: { signal?: AbortSignal | undefined }): Promise<T>;
}

/** The p-retry loop with our classification, budget, jitter and injected-timer waits. @internal */
function runWithRetries<T>(
  fn: (attempt: RetryAttempt) => PromiseLike<T> | T,
  config: ResolvedRetryOptions,
  signal: AbortSignal | undefined,
): Promise<T> {
  config.budget?.recordCall();
  const attemptSignal = signal ?? neverAbortedSignal();
  let retryIndex = 0;
  return pRetry((attemptNumber) => fn({ attemptNumber, signal: attemptSignal }), {
    retries: config.retries,
    // p-retry runs the loop; its own waits are disabled so ours use the injected timers.
    minTimeout: 0,
    maxTimeout: 0,
    ...(signal === undefined ? {} : { signal }),
    shouldRetry: async ({ error, attemptNumber, retriesLeft }) => {
      if (!isRetryable(error, signal)) return false;
      const context = Object.freeze({ error, attemptNumber, retriesLeft: retriesLeft - 1 });
      if (config.shouldRetry !== undefined && !(await config.shouldRetry(context))) return false;
      if (config.budget !== undefined && !config.budget.tryRetry()) return false;
      const retryAfterMs = config.respectRetryAfter ? retryAfterFromError(error, config.clock.now()) : undefined;
      const delayMs =
        retryAfterMs === undefined ? backoffDelay(retryIndex, config) : Math.min(retryAfterMs, config.maxRetryAfterMs);
      retryIndex += 1;
      if (config.onRetry !== undefined) {
        try {
          config.onRetry(Object.freeze({ ...context, delayMs, fromRetryAfter: retryAfterMs !== undefined }));
        } catch {
          // Observers must not change the outcome.
        }
      }
      // Not unref'd: the caller awaits this retry, so the wait must keep the process alive.
      await delay(delayMs, { signal, timers: config.timers });
      return true;
    },
  });
}

/**
 * Creates a reusable retry policy (options validated once), e.g. for `wrap` from
 * `@bulwark/breaker`.
 *
 * @param options - See {@link retry}; `signal` here applies to every run.
 * @throws {TypeError | RangeError} naming the option, when an option is invalid.
 * @example
 * ```ts
 * const policy = createRetry({ retries: 2, budget: createRetryBudget() });
 * await policy.execute((signal) => fetch(url, { signal }));
 * ```
 */
export function createRetry(options: RetryOptions = {}): RetryPolicy {
  const config = resolveRetryOptions(options);
  const defaultSignal = options.signal;
  return Object.freeze({
    execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, callOptions?: { signal?: AbortSignal | undefined }) {
      return runWithRetries<T>((attempt) => fn(attempt.signal), config, callOptions?.signal ?? defaultSignal);
    },
    run<T>(fn: (attempt: RetryAttempt) => PromiseLike<T> | T, callOptions?: { signal?: AbortSignal | undefined }) {
      return runWithRetries<T>(fn, config, callOptions?.signal ?? defaultSignal);
    },
  });
}

/**
 * Calls `fn` until it succeeds, up to `1 + retries` attempts, on p-retry's loop. Waits use
 * exponential backoff with full jitter by default (always in `[0, min(maxDelayMs, minDelayMs * 2^n)]`),
 * or what a `Retry-After` asks (capped by `maxRetryAfterMs`), on the injected timers.
 * Never retries `circuit_open`, `bulkhead_full`, caller aborts or `retryable: false` errors;
 * a shared `budget` can refuse retries. Non-`Error` throws and programming `TypeError`s are
 * not retried (p-retry). Rejects with the last attempt's error, or the signal's reason.
 *
 * @param fn - The operation; receives `{ attemptNumber, signal }`.
 * @param options - Retries, delays, jitter, classification, budget, signal, clock, timers, hooks.
 * @throws {TypeError | RangeError} naming the option, when an option is invalid.
 * @example
 * ```ts
 * const body = await retry(({ signal }) => fetchJson(url, { signal }), { retries: 3, signal });
 * ```
 */
export function retry<T>(fn: (attempt: RetryAttempt) => PromiseLike<T> | T, options: RetryOptions = {}): Promise<T> {
  let config: ResolvedRetryOptions;
  try {
    config = resolveRetryOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return runWithRetries(fn, config, options.signal);
}
