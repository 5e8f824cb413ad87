import { assertNumberOption } from '@bulwark/core';
import { fromZodError, problemResponse } from '@bulwark/errors';
import { z } from 'zod/v4';
import type { DeadLetterQueue } from './dead-letter-queue.js';
import type { RequeueSelector } from './dead-letter-results.js';
import { readJsonBody } from './internal/read-json-body.js';

/** The body of `POST <basePath>/requeue`: exactly one of `ids`, `code` or `all: true`. */
export const requeueBodySchema = z.union([
  z.strictObject({ ids: z.array(z.string().min(1).max(512)).min(1).max(1_000) }),
  z.strictObject({
    code: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/),
  }),
  z.strictObject({ all: z.literal(true) }),
]);

/** The body of `POST <basePath>/mirror-failed`: empty, `{}`, or `{ "from": <next of the previous answer> }`. */
export const mirrorFailedBodySchema = z.strictObject({ from: z.number().int().min(0).max(1_000_000_000).optional() });

/** Options of {@link createDeadLetterRoutes}. */
export interface DeadLetterRoutesOptions {
  /** Path prefix of the routes. Default `'/dlq'`. */
  readonly basePath?: string | undefined;
  /** Largest request body accepted, in bytes (413 above). Default `65_536`. */
  readonly maxBodyBytes?: number | undefined;
}

/** A Fetch-style handler: a `Response` for the routes it owns, `undefined` for any other path. */
export type DeadLetterRouteHandler = (request: Request) => Promise<Response | undefined>;

const ROUTES: Readonly<Record<'/stats' | '/requeue' | '/mirror-failed', 'GET' | 'POST'>> = {
  '/stats': 'GET',
  '/requeue': 'POST',
  '/mirror-failed': 'POST',
};

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

/**
 * Admin routes for a dead-letter queue, as one Web `Request` → `Response` handler (Hono, Bun,
 * Deno, Next.js route handlers, `@hono/node-server`; mount it in Express through any
 * fetch adapter): `GET <basePath>/stats`, `POST <basePath>/requeue` with
 * `{ "ids": [...] }`, `{ "code": "..." }` or `{ "all": true }`, and
 * `POST <basePath>/mirror-failed`. Bodies are parsed strictly (unknown keys, two selectors, a
 * bad code: 422 `validation_failed`; over `maxBodyBytes`: 413); a wrong method answers 405 with
 * `Allow`; failures are RFC 9457 problem+json that reveal no internals. **No authentication:
 * these routes move jobs; put them behind your own admin auth.**
 *
 * @param dlq - The dead-letter queue the routes operate on.
 * @param options - Base path and body cap.
 * @throws {TypeError | RangeError} when an option is invalid, naming it.
 * @example
 * ```ts
 * const routes = createDeadLetterRoutes(dlq, { basePath: '/queue/dlq' });
 * const response = await routes(new Request('http://127.0.0.1/queue/dlq/stats'));
 * ```
 */
export function createDeadLetterRoutes(
  dlq: DeadLetterQueue,
  options: DeadLetterRoutesOptions = {},
): DeadLetterRouteHandler {
  const basePath = (options.basePath ?? '/dlq').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) {
    throw new TypeError(`Expected \`basePath\` to start with '/', got ${basePath}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  assertNumberOption('maxBodyBytes', maxBodyBytes, { min: 2, max: 16_777_216, integer: true });

  async function body<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
    const parsed = schema.safeParse(await readJsonBody(request, maxBodyBytes));
    if (!parsed.success) throw fromZodError(parsed.error);
    return parsed.data;
  }

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith(`${basePath}/`)) return undefined;
    const route = pathname.slice(basePath.length) as keyof typeof ROUTES;
    const method = Object.hasOwn(ROUTES, route) ? ROUTES[route] : undefined;
    if (method === undefined) return undefined;
    if (request.method !== method) {
      return new Response(null, { status: 405, headers: { allow: method } });
    }
    try {
      if (route === '/stats') return json(await dlq.stats());
      if (route === '/requeue') {
        const selector: RequeueSelector = await body(request, requeueBodySchema);
        return json(await dlq.requeue(selector));
      }
      const { from } = await body(request, mirrorFailedBodySchema);
      return json(await dlq.mirrorFailed(from === undefined ? {} : { from }));
    } catch (error) {
      return problemResponse(error);
    }
  };
}
