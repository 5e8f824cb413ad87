import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import { backoffDelay, type Jitter } from '@bulwark/retry';
import { assertMethods } from './internal/assert-methods.js';
import { retryHintMs } from './retry-hint.js';

/**
 * The backoff type jobs name to use the strategy: `backoff: { type: BACKOFF_TYPE, delay: 1000 }`
 * (BullMQ calls a custom strategy only for types other than `fixed` and `exponential`).
 */
export const BACKOFF_TYPE = 'bulwark';

/** Default cap on a Retry-After / rate-limit hint: waits longer than a day fail the job now. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 86_400_000;

/** Options of {@link createBackoffStrategy}. Validated once. */
export interface BackoffStrategyOptions {
  /** First retry's delay cap when the job's `backoff.delay` is unset. Default `1_000`. */
  readonly baseDelayMs?: number | undefined;
  /** Cap of the exponential delay (hints may exceed it, up to `maxRetryAfterMs`). Default `3_600_000`. */
  readonly maxDelayMs?: number | undefined;
  /** Spread of the exponential delay: `full` in [0, cap], `equal` in [cap/2, cap], `none`. Default `'full'`. */
  readonly jitter?: Jitter | undefined;
  /**
   * Longest hint honoured. A hint above it returns `-1`: BullMQ fails the job now instead of
   * parking it (for the dead-letter queue and a human). Default {@link DEFAULT_MAX_RETRY_AFTER_MS}.
   */
  readonly maxRetryAfterMs?: number | undefined;
  /** Uniform source in [0, 1) for jitter. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
  /** Time source for HTTP-date `Retry-After` values. Default: wall clock. */
  readonly clock?: Clock | undefined;
}

/** The job fields the strategy reads (a BullMQ `Job` or `MinimalJob`). */
export interface BackoffJob {
  /** The job's options; `backoff.delay` is the base delay when set. */
  readonly opts?: { readonly backoff?: number | { readonly delay?: number | undefined } | undefined } | undefined;
}

/**
 * A BullMQ `BackoffStrategy`: `(attemptsMade, type, err, job) => delay ms`, or `-1` for "do not
 * retry".
 */
export type JobBackoffStrategy = (attemptsMade: number, type?: string, err?: Error, job?: BackoffJob) => number;

const JITTERS: ReadonlySet<string> = new Set(['full', 'equal', 'none']);

function baseOf(job: BackoffJob | undefined, fallback: number): number {
  const backoff = job?.opts?.backoff;
  const delay = typeof backoff === 'number' ? backoff : backoff?.delay;
  return typeof delay === 'number' && Number.isFinite(delay) && delay >= 0 ? delay : fallback;
}

/**
 * Creates the backoff strategy for `new Worker(name, processor, { settings: { backoffStrategy } })`.
 * The delay before attempt n+1 is capped exponential backoff with jitter
 * (`min(maxDelayMs, base × 2^(n−1))`, base = the job's `backoff.delay`), raised to the wait the
 * error asks for: `Retry-After`, `retryAfterMs` (an open breaker, a provider rate limit) or an
 * exhausted IETF `RateLimit` (see {@link retryHintMs}). The next attempt never starts before the
 * hint. A hint above `maxRetryAfterMs` returns `-1` (fail now). Always an integer in
 * [0, 2^31 − 1] or `-1`; never throws at call time.
 *
 * @param options - Delays, jitter, hint cap, random source and clock.
 * @throws {TypeError | RangeError} when an option is invalid, naming it.
 * @example
 * ```ts
 * const backoffStrategy = createBackoffStrategy({ baseDelayMs: 500, maxDelayMs: 60_000 });
 * backoffStrategy(1, BACKOFF_TYPE, Object.assign(new Error('429'), { retryAfterMs: 7_000 })); // 7000
 * ```
 */
export function createBackoffStrategy(options: BackoffStrategyOptions = {}): JobBackoffStrategy {
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  assertNumberOption('baseDelayMs', baseDelayMs, { min: 0, max: 2_147_483_647 });
  const maxDelayMs = options.maxDelayMs ?? 3_600_000;
  assertNumberOption('maxDelayMs', maxDelayMs, { min: 0, max: 2_147_483_647 });
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  assertNumberOption('maxRetryAfterMs', maxRetryAfterMs, { min: 0, max: 2_147_483_647 });
  const jitter = options.jitter ?? 'full';
  if (!JITTERS.has(jitter)) {
    throw new TypeError(`Expected \`jitter\` to be 'full', 'equal' or 'none', got ${String(jitter)}`);
  }
  for (const key of ['random'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new TypeError(`Expected \`${key}\` to be a function, got ${typeof options[key]}`);
    }
  }
  assertMethods('clock', options.clock, ['now']);
  const random = options.random;
  const clock = options.clock ?? systemClock;

  return (attemptsMade, _type, err, job) => {
    const retryIndex = Number.isFinite(attemptsMade) ? Math.max(0, Math.floor(attemptsMade) - 1) : 0;
    const base = Math.min(baseOf(job, baseDelayMs), maxDelayMs);
    const computed = backoffDelay(Math.min(retryIndex, 64), {
      minDelayMs: base,
      maxDelayMs,
      jitter,
      ...(random === undefined ? {} : { random }),
    });
    const hint = retryHintMs(err, clock.now());
    if (hint !== undefined && hint > maxRetryAfterMs) return -1;
    return Math.ceil(Math.max(computed, hint ?? 0));
  };
}
