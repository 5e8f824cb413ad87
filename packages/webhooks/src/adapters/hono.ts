import { problemResponse } from '@bulwark/errors';
import type { VerifiedWebhook, WebhookVerifierLike } from '../webhook-verifier.js';
import { answersWithProblem } from './problem-answer.js';

/** The parts of a Hono `Context` the middleware uses. */
export interface HonoContextLike<T = VerifiedWebhook> {
  readonly req: { readonly raw: Request; arrayBuffer(): Promise<ArrayBuffer> };
  set(key: 'webhook', value: T): void;
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
export function honoWebhook<T = VerifiedWebhook>(
  verifier: WebhookVerifierLike<T>,
): (c: HonoContextLike<T>, next: () => Promise<void>) => Promise<Response | undefined> {
  return async (c, next) => {
    try {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const { headers, url, method } = c.req.raw;
      c.set('webhook', await verifier.verify({ headers, body, url, method }));
    } catch (error) {
      if (answersWithProblem(error)) return problemResponse(error);
      throw error;
    }
    await next();
    return undefined;
  };
}
