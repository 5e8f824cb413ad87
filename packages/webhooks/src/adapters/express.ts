import { type ProblemWritable, writeProblem } from '@bulwark/errors';
import type { VerifiedWebhook, WebhookVerifierLike } from '../webhook-verifier.js';
import { type NodeRequestLike, type ReadRawBodyOptions, readRawBody } from './node-http.js';
import { answersWithProblem } from './problem-answer.js';

/** The parts of an Express request the middleware uses. */
export interface ExpressRequestLike<T = VerifiedWebhook> extends NodeRequestLike {
  /** Set by `express.raw()` / `express.text()`; read from the stream when undefined. */
  body?: unknown;
  /** The path and query as received (Express keeps it when routers rewrite `url`). */
  readonly originalUrl?: string;
  /** Set by the middleware once the webhook verified. */
  webhook?: T;
}

/**
 * Express middleware that verifies the webhook and stores the result on `req.webhook` (read it
 * typed with {@link verifiedWebhook}).
 * Mount it with `express.raw({ type: '*\/*' })` or alone (it reads the stream itself); a body
 * already parsed by `express.json()` is rejected with `webhook_body_unsupported`, because the
 * original bytes are gone. Failures answer with problem+json; other errors go to `next`.
 *
 * @example
 * ```ts
 * app.post('/webhooks', expressWebhook(verifier), (req, res) => {
 *   handle(verifiedWebhook(req)); // typed; Express's request type does not declare `webhook`
 *   res.sendStatus(204);
 * });
 * ```
 */
export function expressWebhook<T = VerifiedWebhook>(
  verifier: WebhookVerifierLike<T>,
  options: ReadRawBodyOptions = {},
): (req: ExpressRequestLike<T>, res: ProblemWritable, next: (error?: unknown) => void) => Promise<void> {
  return async (req, res, next) => {
    try {
      const body = req.body === undefined ? await readRawBody(req, options) : req.body;
      req.webhook = await verifier.verify({
        headers: req.headers,
        body: body as Uint8Array,
        url: req.originalUrl ?? req.url,
        method: req.method,
      });
    } catch (error) {
      if (answersWithProblem(error)) {
        writeProblem(res, error);
        return;
      }
      next(error);
      return;
    }
    next();
  };
}
