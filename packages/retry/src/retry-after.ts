import { parseRetryAfter as parseRetryAfterField } from '@bulwark/core';

/**
 * Parses a `Retry-After` header value: delay-seconds (`"120"`) or an HTTP-date in any of the
 * three RFC 9110 forms, measured from `now`. Returns milliseconds, or `undefined` when the
 * value is missing or malformed. The same function as `parseRetryAfter` of `@bulwark/core`.
 *
 * @deprecated Import `parseRetryAfter` from `@bulwark/core`; this re-export stays for
 * compatibility.
 * @example
 * ```ts
 * parseRetryAfter('2', Date.now()); // 2000
 * ```
 */
export const parseRetryAfter: typeof parseRetryAfterField = parseRetryAfterField;

interface HeadersLike {
  get(name: string): string | null;
}

function headersOf(value: unknown): HeadersLike | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const headers = (value as { headers?: unknown }).headers;
  if (typeof headers === 'object' && headers !== null && typeof (headers as HeadersLike).get === 'function') {
    return headers as HeadersLike;
  }
  return undefined;
}

/**
 * Finds how long an error asks the caller to wait: a numeric `retryAfterMs` on the error or
 * in its `extensions` (Bulwark errors), or a `Retry-After` header on `error.headers` or
 * `error.response.headers` (fetch `Response`, ky/ofetch errors).
 *
 * @param error - The failure of the last attempt.
 * @param now - Epoch ms, for HTTP-dates.
 * @example
 * ```ts
 * retryAfterFromError(err, clock.now()); // e.g. 2000, or undefined
 * ```
 */
export function retryAfterFromError(error: unknown, now: number): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const direct = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (isDelay(direct)) return direct;
  const extensions = (error as { extensions?: { retryAfterMs?: unknown } }).extensions;
  if (isDelay(extensions?.retryAfterMs)) return extensions.retryAfterMs;
  const headers = headersOf(error) ?? headersOf((error as { response?: unknown }).response);
  return parseRetryAfterField(headers?.get('retry-after'), now);
}

function isDelay(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
