import type { RateLimiter } from '../rate-limiter.js';
import { createGuard, type HttpRateLimitOptions } from './guard.js';
import type { RequestInfo } from './keys.js';

/** Options of {@link withRateLimit} and {@link honoRateLimit}. */
export interface FetchRateLimitOptions<A extends unknown[] = unknown[]> extends HttpRateLimitOptions {
  /** The client's TCP address, when the runtime knows it (Fetch `Request` does not carry it). */
  readonly remoteAddress?: ((request: Request, ...rest: A) => string | undefined) | undefined;
}

/** Adapts a Fetch `Request` to {@link RequestInfo}. */
export function fetchRequestInfo(request: Request, remoteAddress: string | undefined): RequestInfo {
  return { header: (name) => request.headers.get(name) ?? undefined, remoteAddress };
}

/** Copies `headers` onto a response, cloning it when its headers are immutable. @internal */
export function withHeaders(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}

/**
 * Wraps a Fetch handler (`(request, ...rest) => Response`): denied requests get the 429/503
 * problem response, allowed ones the handler's response plus the rate-limit fields.
 *
 * @example
 * ```ts
 * export default { fetch: withRateLimit(limiter, (request) => new Response('ok'), { key: apiKey() }) };
 * ```
 */
export function withRateLimit<A extends unknown[]>(
  limiter: RateLimiter,
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: FetchRateLimitOptions<A> = {},
): (request: Request, ...rest: A) => Promise<Response> {
  const guard = createGuard(limiter, options);
  return async (request, ...rest) => {
    const { headers, denial } = await guard(fetchRequestInfo(request, options.remoteAddress?.(request, ...rest)));
    if (denial) return new Response(denial.body, { status: denial.status, headers: denial.headers });
    return withHeaders(await handler(request, ...rest), headers);
  };
}
