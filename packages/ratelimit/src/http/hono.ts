import type { RateLimiter } from '../rate-limiter.js';
import { fetchRequestInfo } from './fetch.js';
import { createGuard, type HttpRateLimitOptions } from './guard.js';

/** The parts of a Hono `Context` the middleware uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
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
 * fields to allowed responses.
 *
 * @example
 * ```ts
 * app.use('/api/*', honoRateLimit(limiter, { key: apiKey() }));
 * ```
 */
export function honoRateLimit<C extends HonoContextLike>(
  limiter: RateLimiter,
  options: HonoRateLimitOptions<C> = {},
): (c: C, next: () => Promise<void>) => Promise<Response | undefined> {
  const guard = createGuard(limiter, options);
  const address = options.remoteAddress ?? nodeServerAddress;
  return async (c, next) => {
    const { headers, denial } = await guard(fetchRequestInfo(c.req.raw, address(c)));
    if (denial) return new Response(denial.body, { status: denial.status, headers: denial.headers });
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return undefined;
  };
}
