import type { RateLimiter } from '../rate-limiter.js';
import { createGuard, type HttpRateLimitOptions } from './guard.js';
import type { RequestInfo } from './keys.js';

/** The parts of Node's `IncomingMessage` (and Express's `Request`) the middleware reads. */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/** The parts of Node's `ServerResponse` (and Express's `Response`) the middleware writes. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** Adapts a Node request to {@link RequestInfo}. */
export function nodeRequestInfo(req: NodeRequestLike): RequestInfo {
  return {
    header(name) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : (value as string | undefined);
    },
    remoteAddress: req.socket?.remoteAddress,
  };
}

/**
 * Rate-limits a Node `http` request: sets the rate-limit fields, and when denied writes the
 * 429/503 problem response and resolves `false` (the caller must stop).
 *
 * @example
 * ```ts
 * const guard = nodeRateLimit(limiter, { key: ipKey() });
 * http.createServer(async (req, res) => {
 *   if (!(await guard(req, res))) return;
 *   res.end('ok');
 * });
 * ```
 */
export function nodeRateLimit(
  limiter: RateLimiter,
  options: HttpRateLimitOptions = {},
): (req: NodeRequestLike, res: NodeResponseLike) => Promise<boolean> {
  const guard = createGuard(limiter, options);
  return async (req, res) => {
    const { headers, denial } = await guard(nodeRequestInfo(req));
    for (const [name, value] of Object.entries(denial?.headers ?? headers)) res.setHeader(name, value);
    if (!denial) return true;
    res.statusCode = denial.status;
    res.end(denial.body);
    return false;
  };
}

/**
 * Express (or Connect) middleware: calls `next()` when allowed, answers 429/503 otherwise, and
 * passes unexpected errors to `next(error)`.
 *
 * @example
 * ```ts
 * app.use(expressRateLimit(createRateLimiter({ limit: 100, windowMs: 60_000 })));
 * ```
 */
export function expressRateLimit(
  limiter: RateLimiter,
  options: HttpRateLimitOptions = {},
): (req: NodeRequestLike, res: NodeResponseLike, next: (error?: unknown) => void) => void {
  const guard = nodeRateLimit(limiter, options);
  return (req, res, next) => {
    guard(req, res).then((allowed) => allowed && next(), next);
  };
}
