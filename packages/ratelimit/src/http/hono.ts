import { keyRequired } from '../errors/rate-limit-key-required-error.js';
import type { RateLimiter } from '../rate-limiter.js';
import { defaultFetchKey, fetchRequestInfo } from './fetch.js';
import { createGuard, type HttpRateLimitOptions } from './guard.js';
import { ipKey } from './keys.js';

/** The parts of a Hono `Context` the middleware uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
  /** The handler's response; its fields are set on it in place when its headers are mutable. */
  readonly res?: Response;
  header(name: string, value: string): void;
  readonly env?: unknown;
}

/** Options of {@link honoRateLimit}. */
export interface HonoRateLimitOptions<C extends HonoContextLike = HonoContextLike> extends HttpRateLimitOptions {
  /** The client's TCP address. Default: `c.env.incoming.socket.remoteAddress` (`@hono/node-server`). */
  readonly remoteAddress?: ((c: C) => string | undefined) | undefined;
}

function nodeServerAddress(c: HonoContextLike): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * Hono middleware: answers 429/503 problem responses for denials and adds the rate-limit
 * fields to allowed responses. Without a `key` option it keys by client address (the
 * `remoteAddress` option, `@hono/node-server`'s socket by default), or by `CF-Connecting-IP` on
 * Cloudflare Workers.
 *
 * @throws {rate_limit_key_required} ({@link RateLimitKeyRequiredError}) from the first request,
 * when no `key` was given and no client address has been seen: on such a runtime (Deno, Bun,
 * Vercel without `remoteAddress`) every client would share one bucket.
 * @example
 * ```ts
 * app.use('/api/*', honoRateLimit(limiter, { key: apiKey() }));
 * ```
 */
export function honoRateLimit<C extends HonoContextLike>(
  limiter: RateLimiter,
  options: HonoRateLimitOptions<C> = {},
): (c: C, next: () => Promise<void>) => Promise<Response | undefined> {
  const defaults = options.key === undefined && options.remoteAddress === undefined;
  const workers = defaults ? defaultFetchKey(false) : undefined;
  const key = options.key ?? workers ?? ipKey();
  // With every default in place outside Workers, a runtime without @hono/node-server's socket
  // would silently give no address, hence one bucket, on every request.
  let needsAddress = defaults && workers === undefined;
  const guard = createGuard(limiter, { ...options, key });
  const address = options.remoteAddress ?? nodeServerAddress;
  return async (c, next) => {
    const remote = address(c);
    if (needsAddress) {
      if (remote === undefined) throw keyRequired('honoRateLimit');
      needsAddress = false;
    }
    const { headers, denial } = await guard(fetchRequestInfo(c.req.raw, remote));
    if (denial) return new Response(denial.body, { status: denial.status, headers: denial.headers });
    await next();
    setResponseFields(c, headers);
    return undefined;
  };
}

/**
 * Adds the rate-limit fields to the handler's response in place. `c.header()` after the handler
 * copies the whole response on every call (three copies for three fields), so it is only the
 * fallback for a response whose headers are immutable (a `fetch()` response passed through).
 */
function setResponseFields(c: HonoContextLike, fields: Record<string, string>): void {
  const target = c.res?.headers;
  if (target !== undefined) {
    try {
      for (const name in fields) target.set(name, fields[name] as string);
      return;
    } catch {
      // immutable headers: the first set throws, so none was written
    }
  }
  for (const name in fields) c.header(name, fields[name] as string);
}
