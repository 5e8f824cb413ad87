import { keyRequired } from '../errors/rate-limit-key-required-error.js';
import type { RateLimiter } from '../rate-limiter.js';
import { cloudflareIpKey, isCloudflareWorkers } from './cloudflare.js';
import { createGuard, type HttpRateLimitOptions } from './guard.js';
import { ipKey, type KeyExtractor, type RequestInfo } from './keys.js';

/** Options of {@link withRateLimit}. */
export interface FetchRateLimitOptions<A extends unknown[] = unknown[]> extends HttpRateLimitOptions {
  /**
   * The client's TCP address, when the runtime knows it (a Fetch `Request` does not carry it),
   * read by the default {@link ipKey} key.
   */
  readonly remoteAddress?: ((request: Request, ...rest: A) => string | undefined) | undefined;
}

/**
 * The key of a Fetch middleware without a `key` option: the client address when the runtime
 * gives one, `CF-Connecting-IP` on Cloudflare Workers, and otherwise none at all (the caller
 * refuses to run with every client in one bucket).
 * @internal
 */
export function defaultFetchKey(hasAddress: boolean): KeyExtractor | undefined {
  if (hasAddress) return ipKey();
  return isCloudflareWorkers() ? cloudflareIpKey() : undefined;
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
 * problem response, allowed ones the handler's response plus the rate-limit fields. Without a
 * `key` option it keys by client address: `remoteAddress(request, ...rest)` when given, and
 * `CF-Connecting-IP` on Cloudflare Workers.
 *
 * @throws {rate_limit_key_required} ({@link RateLimitKeyRequiredError}) when neither `key` nor
 * `remoteAddress` is given outside Cloudflare Workers: every client would share one bucket.
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
  const key = options.key ?? defaultFetchKey(options.remoteAddress !== undefined);
  if (key === undefined) throw keyRequired('withRateLimit');
  const guard = createGuard(limiter, { ...options, key });
  return async (request, ...rest) => {
    const { headers, denial } = await guard(fetchRequestInfo(request, options.remoteAddress?.(request, ...rest)));
    if (denial) return new Response(denial.body, { status: denial.status, headers: denial.headers });
    return withHeaders(await handler(request, ...rest), headers);
  };
}
