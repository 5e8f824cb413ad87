import { MAX_RETRY_AFTER_MS } from '@bulwark/core';
import { retryAfterFromError } from '@bulwark/retry';
import { rateLimitResetMs } from './internal/rate-limit-reset.js';

interface HeadersLike {
  get(name: string): string | null;
}

function headersOf(value: unknown): HeadersLike | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let headers: unknown;
  try {
    headers = (value as { headers?: unknown }).headers;
  } catch {
    return undefined;
  }
  return typeof headers === 'object' && headers !== null && typeof (headers as HeadersLike).get === 'function'
    ? (headers as HeadersLike)
    : undefined;
}

/**
 * How long a failed job's error asks us to wait before the next attempt, in ms: a numeric
 * `retryAfterMs` on the error or in its `extensions` (Bulwark errors such as `circuit_open`
 * and `email_rate_limited`), a `Retry-After` header on `error.headers` or
 * `error.response.headers` (the one Retry-After grammar of `@bulwark/core`), else an exhausted
 * IETF rate limit (`RateLimit: "p";r=0;t=30`, or `RateLimit-Remaining: 0` with
 * `RateLimit-Reset: 30`). `undefined` when the error carries no hint. Never throws; every
 * result is finite, in [0, 2^31 − 1].
 *
 * @param error - What the processor threw.
 * @param now - Epoch ms an HTTP-date is measured from (from an injected clock).
 * @example
 * ```ts
 * const error = Object.assign(new Error('429'), { headers: new Headers({ 'retry-after': '7' }) });
 * retryHintMs(error, Date.now()); // 7000
 * ```
 */
export function retryHintMs(error: unknown, now: number): number | undefined {
  let hint: number | undefined;
  try {
    hint = retryAfterFromError(error, now);
    if (hint === undefined) {
      const response =
        typeof error === 'object' && error !== null ? (error as { response?: unknown }).response : undefined;
      hint = rateLimitResetMs(headersOf(error) ?? headersOf(response));
    }
  } catch {
    // A hostile error object (throwing getters) carries no usable hint.
    return undefined;
  }
  return hint === undefined ? undefined : Math.min(hint, MAX_RETRY_AFTER_MS);
}
