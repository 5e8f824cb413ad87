import { parseRetryAfter as parseRetryAfterField } from '@bulwark/core';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The default wait before each retry, in milliseconds: 5 s, 30 s, 2 min, 10 min, 1 h, 3 h,
 * 6 h, 12 h. With the first attempt that makes 9 attempts over 22 h 12 min 35 s (before
 * jitter), after which the delivery goes to the dead-letter queue. Each wait is jittered
 * by ±`retryJitter` (default 20 %).
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
]);

/**
 * The wait before the next attempt after `attemptsMade` failed attempts, jittered by
 * ±`jitter` using `random()` in [0, 1); `undefined` when the schedule is exhausted.
 *
 * @example
 * ```ts
 * retryDelay(DEFAULT_RETRY_SCHEDULE, 1, 0.2, Math.random); // 4000..6000
 * ```
 */
export function retryDelay(
  schedule: readonly number[],
  attemptsMade: number,
  jitter: number,
  random: () => number,
): number | undefined {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return undefined;
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP-date in any of the three RFC 9110
 * forms) into milliseconds from `now`; `undefined` for a missing or malformed value, 0 for a
 * past date. The same function as `parseRetryAfter` of `@bulwark/core`.
 *
 * @deprecated Import `parseRetryAfter` from `@bulwark/core`; this re-export stays for
 * compatibility.
 * @example
 * ```ts
 * parseRetryAfter('120', Date.now()); // 120000
 * ```
 */
export const parseRetryAfter: typeof parseRetryAfterField = parseRetryAfterField;
