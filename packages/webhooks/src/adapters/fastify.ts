import { toProblem } from '@bulwark/errors';
import type { HeaderInput } from '../internal/headers.js';
import type { VerifiedWebhook, WebhookVerifierLike } from '../webhook-verifier.js';
import { answersWithProblem } from './problem-answer.js';

/** The parts of a Fastify request the hook uses. */
export interface FastifyRequestLike {
  readonly headers: HeaderInput;
  readonly body: unknown;
  /** The path and query as received. */
  readonly url?: string;
  /** The request method. */
  readonly method?: string;
  webhook?: unknown;
}

/** The parts of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  type(contentType: string): FastifyReplyLike;
  send(payload: unknown): unknown;
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer' },
    parser: (request: unknown, body: Uint8Array, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  addHook(name: 'preHandler', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): void;
}

/**
 * A Fastify plugin that scopes raw-body capture and verification to the routes that
 * `routes` declares: inside it, every content type is parsed as a `Buffer` (the bytes that were
 * signed) and a `preHandler` hook verifies each request and sets `request.webhook` (read it
 * typed with {@link verifiedWebhook}). Routes
 * outside the plugin keep Fastify's JSON parser. Failures answer with problem+json.
 *
 * @example
 * <!-- ts-context: declare const app: FastifyInstance; -->
 * ```ts
 * import type { FastifyInstance } from 'fastify';
 *
 * // Annotate `scope`: the plugin is generic in the instance type, so routes keep Fastify's types.
 * app.register(fastifyWebhook(verifier, (scope: FastifyInstance) => {
 *   scope.post('/webhooks', async (request) => ({ id: verifiedWebhook(request).id }));
 * }));
 * ```
 */
export function fastifyWebhook<I extends FastifyInstanceLike, T = VerifiedWebhook>(
  verifier: WebhookVerifierLike<T>,
  routes: (scope: I) => void | Promise<void>,
): (instance: I) => Promise<void> {
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    instance.addHook('preHandler', async (request, reply) => {
      try {
        request.webhook = await verifier.verify({
          headers: request.headers,
          body: (request.body ?? '') as Uint8Array,
          url: request.url,
          method: request.method,
        });
      } catch (error) {
        if (!answersWithProblem(error)) throw error;
        const problem = toProblem(error);
        return reply.code(problem.status).type('application/problem+json').send(problem);
      }
      return undefined;
    });
    await routes(instance);
  };
}
