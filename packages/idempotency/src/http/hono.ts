import type { Idempotency } from '../idempotency.js';
import { fetchRequestInfo, fromResponse, toResponse } from './fetch.js';
import { createHttpGuard, type HttpIdempotencyOptions } from './guard.js';

/** The parts of a Hono `Context` the middleware uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
  /** The response after `next()`; Hono sets it to the error response when a handler threw. */
  readonly res: Response;
  /** Set by Hono when a handler threw (the response is then its error response). */
  readonly error?: unknown;
}

/**
 * Hono middleware: guards the routes it is mounted on (see {@link withIdempotency} for the
 * semantics). A handler that throws leaves Hono's error response (5xx), which is not stored.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.post('/charges', honoIdempotency(createIdempotency()), (c) => c.json({ id: 'ch_1' }, 201));
 * ```
 */
export function honoIdempotency<C extends HonoContextLike>(
  idempotency: Idempotency,
  options: HttpIdempotencyOptions<C> = {},
): (c: C, next: () => Promise<void>) => Promise<Response | undefined> {
  const guard = createHttpGuard(idempotency, options);
  return async (c, next) => {
    const outcome = await guard(fetchRequestInfo(c.req.raw), c);
    if (outcome.kind === 'pass') {
      await next();
      return undefined;
    }
    if (outcome.kind === 'respond') return toResponse(outcome.response);
    try {
      await next();
    } catch (error) {
      await outcome.finish(undefined);
      throw error;
    }
    await outcome.finish(c.error === undefined ? await fromResponse(c.res).catch(() => undefined) : undefined);
    return undefined;
  };
}
