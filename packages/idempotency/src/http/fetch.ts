import type { Idempotency } from '../idempotency.js';
import { createHttpGuard, type HttpIdempotencyOptions, type HttpRequestInfo } from './guard.js';
import type { ResponseParts } from './stored-response.js';

/**
 * Adapts a Fetch `Request`: the body is read from a clone, so the handler can still read it.
 * `path` and `signal` are read only when the request carries a key: on `@hono/node-server`,
 * reading `signal` builds a full `Request` (and an `AbortController`) from the Node request,
 * which every keyless request on a guarded route paid for nothing.
 * @internal
 */
export function fetchRequestInfo(request: Request): HttpRequestInfo {
  return {
    method: request.method,
    get path() {
      const url = new URL(request.url);
      return url.pathname + url.search;
    },
    header: (name) => request.headers.get(name),
    body: async () => new Uint8Array(await request.clone().arrayBuffer()),
    get signal() {
      return request.signal;
    },
  };
}

/** A Fetch `Response` from stored or problem parts. @internal */
export function toResponse(parts: ResponseParts): Response {
  const body = parts.status === 204 || parts.status === 304 ? null : (parts.body as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: parts.status, headers: parts.headers as Array<[string, string]> });
}

/** Reads a response into parts without consuming it (a clone is read). @internal */
export async function fromResponse(response: Response): Promise<ResponseParts> {
  const body = new Uint8Array(await response.clone().arrayBuffer());
  return { status: response.status, headers: [...response.headers], body };
}

/**
 * Wraps a Fetch handler (`(request, ...rest) => Response`, e.g. Cloudflare Workers, Deno, Bun,
 * `@hono/node-server`): guarded requests without a valid `Idempotency-Key` get 400, a reused
 * key with another request 422, a concurrent one 409, a stalled store 503 (problem+json); a
 * retry gets the stored response with `Idempotent-Replayed: true`; the handler runs at most once
 * per key. The response is stored before it is returned, so a retry that follows it replays.
 *
 * @example
 * ```ts
 * const idempotency = createIdempotency();
 * export default { fetch: withIdempotency(idempotency, (request) => Response.json({ ok: true }, { status: 201 })) };
 * ```
 */
export function withIdempotency<A extends unknown[]>(
  idempotency: Idempotency,
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: HttpIdempotencyOptions<Request> = {},
): (request: Request, ...rest: A) => Promise<Response> {
  const guard = createHttpGuard(idempotency, options);
  return async (request, ...rest) => {
    const outcome = await guard(fetchRequestInfo(request), request);
    if (outcome.kind === 'pass') return handler(request, ...rest);
    if (outcome.kind === 'respond') return toResponse(outcome.response);
    let response: Response;
    try {
      response = await handler(request, ...rest);
    } catch (error) {
      await outcome.finish(undefined);
      throw error;
    }
    await outcome.finish(await fromResponse(response).catch(() => undefined));
    return response;
  };
}
