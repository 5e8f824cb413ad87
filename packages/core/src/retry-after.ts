import { parseHttpDate } from './http-date.js';
import { assertNumberOption } from './options.js';

/**
 * The largest wait {@link parseRetryAfter} returns by default: 2^31 − 1 ms (~24.8 days), the
 * largest delay `setTimeout` honours (a larger one fires at once), so any result can be handed
 * to a timer as is.
 */
export const MAX_RETRY_AFTER_MS = 2_147_483_647;

/** Options of {@link parseRetryAfter}. */
export interface RetryAfterOptions {
  /**
   * Cap on the returned wait, in ms; larger (and astronomically large) values are clamped to it.
   * @defaultValue {@link MAX_RETRY_AFTER_MS}
   */
  readonly maxMs?: number | undefined;
}

const DIGITS = /^\d+$/;

/** Strips OWS (SP / HTAB only, RFC 9110 §5.5) in linear time; other whitespace stays. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  return value.slice(start, end);
}

/**
 * Parses a `Retry-After` field value (RFC 9110 §10.2.3) into a wait in milliseconds from `now`:
 * delay-seconds (`1*DIGIT` only: no sign, fraction or exponent) or an HTTP-date in any of the
 * three forms of {@link parseHttpDate}. A date in the past gives 0; every result is a finite
 * number in [0, `maxMs`]. Missing or malformed values give `undefined` (fall back to your own
 * backoff); no string makes it throw. The one Retry-After grammar of Bulwark: retry, delivery
 * and email all use it.
 *
 * @param value - The field value (`headers.get('retry-after')`), or nothing.
 * @param now - Epoch ms an HTTP-date is measured from (from an injected clock).
 * @param options - `maxMs` cap.
 * @returns Milliseconds to wait, or `undefined`.
 * @throws {TypeError} when `now` or `maxMs` is not a finite number.
 * @throws {RangeError} when `maxMs` is negative.
 * @example
 * ```ts
 * import { parseRetryAfter } from '@bulwark/core';
 *
 * const now = Date.parse('1994-11-06T08:49:00Z');
 * parseRetryAfter('120', now); // 120000
 * parseRetryAfter('Sun Nov  6 08:49:37 1994', now); // 37000
 * parseRetryAfter('1.5', now); // undefined
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number,
  options: RetryAfterOptions = {},
): number | undefined {
  const maxMs = options.maxMs ?? MAX_RETRY_AFTER_MS;
  assertNumberOption('maxMs', maxMs, { min: 0 });
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError(`Expected \`now\` to be a finite number of epoch ms, got ${String(now)}`);
  }
  if (typeof value !== 'string') return undefined;
  const trimmed = trimOws(value);
  if (DIGITS.test(trimmed)) {
    // Number() of a long digit run may be Infinity; the cap makes it finite.
    return Math.min(Number(trimmed) * 1_000, maxMs);
  }
  const at = parseHttpDate(trimmed, now);
  return at === undefined ? undefined : Math.min(Math.max(0, at - now), maxMs);
}
