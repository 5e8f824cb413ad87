const DELTA_SECONDS = /^\d+$/;
// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7), plus the obsolete forms Date.parse accepts.
const HTTP_DATE = /^[A-Za-z]{3},? [0-9A-Za-z ,:-]+ GMT$/;

/**
 * Parses a `Retry-After` header value: delay-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, measured from `now`). Returns milliseconds (never
 * negative), or `undefined` when the value is missing or malformed, so a bad header falls
 * back to the normal backoff instead of failing the call.
 *
 * @param value - The header value.
 * @param now - Epoch ms to measure an HTTP-date from (from the injected clock).
 * @example
 * ```ts
 * parseRetryAfter('2', clock.now()); // 2000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (DELTA_SECONDS.test(trimmed)) return Number(trimmed) * 1_000;
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

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
  return parseRetryAfter(headers?.get('retry-after'), now);
}

function isDelay(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
