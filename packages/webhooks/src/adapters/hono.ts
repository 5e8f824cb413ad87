import { problemResponse } from '@bulwark/errors';
import type { VerifiedWebhook, WebhookVerifier } from '../webhook-verifier.js';
import { answersWithProblem } from './problem-answer.js';

/** The parts of a Hono `Context` the middleware uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request; arrayBuffer(): Promise<ArrayBuffer> };
  set(key: 'webhook', value: VerifiedWebhook): void;
}

/**
 * Hono middleware: verifies the webhook and stores the result as `c.get('webhook')`.
 * Failures answer with problem+json. Hono caches the body, so handlers may still read it.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 *
 * const app = new Hono<{ Variables: { webhook: VerifiedWebhook } }>();
 * app.post('/webhooks', honoWebhook(verifier), (c) => c.json({ id: c.get('webhook').id }));
 * ```
 */
export function honoWebhook(
  verifier: WebhookVerifier,
): (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined> {
  return async (c, next) => {
    try {
      const body = new Uint8Array(await c.req.arrayBuffer());
      c.set('webhook', await verifier.verify({ headers: c.req.raw.headers, body }));
    } catch (error) {
      if (answersWithProblem(error)) return problemResponse(error);
      throw error;
    }
    await next();
    return undefined;
  };
}
