import type { RateLimiter } from '../rate-limiter.js';
import { createGuard, type HttpRateLimitOptions } from './guard.js';
import { type NodeRequestLike, nodeRequestInfo } from './node.js';

/** The parts of a Fastify `FastifyReply` the hook uses. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(body: string): unknown;
}

/**
 * A Fastify `onRequest` hook: sets the rate-limit fields and, when denied, sends the 429/503
 * problem response (returning the reply, as async Fastify hooks must).
 *
 * @example
 * ```ts
 * fastify.addHook('onRequest', fastifyRateLimit(limiter, { key: ipKey() }));
 * ```
 */
export function fastifyRateLimit(
  limiter: RateLimiter,
  options: HttpRateLimitOptions = {},
): (request: NodeRequestLike, reply: FastifyReplyLike) => Promise<FastifyReplyLike | undefined> {
  const guard = createGuard(limiter, options);
  return async (request, reply) => {
    const { headers, denial } = await guard(nodeRequestInfo(request));
    for (const [name, value] of Object.entries(denial?.headers ?? headers)) reply.header(name, value);
    if (!denial) return undefined;
    reply.code(denial.status).send(denial.body);
    return reply;
  };
}
