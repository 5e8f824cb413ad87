import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import { ratelimitErrors } from './codes.js';

/**
 * Thrown by a Fetch-based middleware ({@link withRateLimit}, {@link honoRateLimit}) that would
 * put every client in one shared bucket: no `key` function was given and the runtime exposes no
 * client address (a Fetch `Request` carries none; Deno, Bun, Vercel and Hono outside
 * `@hono/node-server` need a `remoteAddress` function). `withRateLimit` throws it at construction,
 * `honoRateLimit` on the first request without an address. On Cloudflare Workers the default key
 * is `CF-Connecting-IP` instead (see {@link cloudflareIpKey}).
 *
 * @example
 * ```ts
 * try {
 *   withRateLimit(createRateLimiter({ limit: 10, windowMs: 1_000 }), () => new Response('ok'));
 * } catch (error) {
 *   if (isRateLimitKeyRequiredError(error)) console.error(error.code); // 'rate_limit_key_required'
 * }
 * ```
 */
export class RateLimitKeyRequiredError extends BulwarkError<'rate_limit_key_required'> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'RateLimitKeyRequiredError');

  declare name: 'RateLimitKeyRequiredError';

  constructor(detail: string) {
    const d = ratelimitErrors.definitions.rate_limit_key_required;
    super({ code: 'rate_limit_key_required', status: d.status, title: d.title, detail });
    this.name = 'RateLimitKeyRequiredError';
  }
}

/**
 * Reports whether `value` is a {@link RateLimitKeyRequiredError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isRateLimitKeyRequiredError(error)) logger.error('give the rate limiter a key function');
 * ```
 */
export const isRateLimitKeyRequiredError =
  /* @__PURE__ */ createErrorGuard<RateLimitKeyRequiredError>('RateLimitKeyRequiredError');

/** The error for `middleware`, naming the fix. @internal */
export function keyRequired(middleware: string): RateLimitKeyRequiredError {
  return new RateLimitKeyRequiredError(
    `${middleware} cannot see the client's address on this runtime, so without a \`key\` function every client would share one bucket. ` +
      "Pass `key` (e.g. `apiKey()`, `headerKey('x-tenant-id')`, or `() => 'global'` for one deliberate shared limit) " +
      'or `remoteAddress` (e.g. Deno: `(request, info) => info.remoteAddr.hostname`; Bun: `(request, server) => server.requestIP(request)?.address`).',
  );
}
