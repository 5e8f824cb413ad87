import type { Idempotency } from '../idempotency.js';
import { utf8 } from '../internal/bytes.js';
import { createHttpGuard, type GuardOutcome, type HttpIdempotencyOptions } from './guard.js';
import { headerEntries, type NodeRequestLike, nodeRequestInfo } from './node.js';

/** The parts of a Fastify `FastifyReply` the hooks use. */
export interface FastifyReplyLike {
  readonly statusCode: number;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  getHeaders(): Readonly<Record<string, string | number | readonly string[] | undefined>>;
  send(payload: Uint8Array): unknown;
}

/** Fastify hooks returned by {@link fastifyIdempotency}; spread them into route options or add them with `addHook`. */
export interface FastifyIdempotencyHooks<R extends NodeRequestLike> {
  /** Answers replays and problems; otherwise claims the key (after body parsing). */
  readonly preHandler: (request: R, reply: FastifyReplyLike) => Promise<FastifyReplyLike | undefined>;
  /** Stores the payload being sent (strings and buffers; a stream is not stored). */
  readonly onSend: (request: R, reply: FastifyReplyLike, payload: unknown) => Promise<unknown>;
  /** Releases a claim whose response never reached `onSend` (aborted requests). */
  readonly onResponse: (request: R, reply: FastifyReplyLike) => Promise<void>;
}

/**
 * Fastify hooks (see `withIdempotency` for the semantics). The key is claimed in `preHandler`,
 * after Fastify parsed the body (fingerprinted as canonical JSON when parsed, raw when it is a
 * string or buffer), and the response is stored in `onSend` before it is sent.
 *
 * @example
 * ```ts
 * const hooks = fastifyIdempotency(createIdempotency());
 * fastify.post('/charges', { ...hooks }, async (request, reply) => reply.code(201).send({ id: 'ch_1' }));
 * ```
 */
export function fastifyIdempotency<R extends NodeRequestLike>(
  idempotency: Idempotency,
  options: HttpIdempotencyOptions<R> = {},
): FastifyIdempotencyHooks<R> {
  const guard = createHttpGuard(idempotency, options);
  const pending = new WeakMap<object, Extract<GuardOutcome, { kind: 'execute' }>>();
  return Object.freeze({
    async preHandler(request: R, reply: FastifyReplyLike) {
      const outcome = await guard(nodeRequestInfo(request), request);
      if (outcome.kind === 'pass') return undefined;
      if (outcome.kind === 'execute') {
        pending.set(request, outcome);
        return undefined;
      }
      const { status, headers, body } = outcome.response;
      reply.code(status);
      for (const [name, value] of headers) reply.header(name, value);
      reply.send(body);
      return reply;
    },
    async onSend(request: R, reply: FastifyReplyLike, payload: unknown) {
      const outcome = pending.get(request);
      if (!outcome) return payload;
      pending.delete(request);
      const body =
        payload instanceof Uint8Array
          ? payload
          : typeof payload === 'string'
            ? utf8(payload)
            : payload === null || payload === undefined
              ? new Uint8Array(0)
              : undefined;
      await outcome.finish(
        body && { status: reply.statusCode, headers: headerEntries(reply.getHeaders()), body: body.slice() },
      );
      return payload;
    },
    async onResponse(request: R) {
      const outcome = pending.get(request);
      if (!outcome) return;
      pending.delete(request);
      await outcome.finish(undefined);
    },
  });
}
