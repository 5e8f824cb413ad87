import { problemResponse } from '@bulwark/errors';
import type { VerifiedWebhook, WebhookVerifierLike } from '../webhook-verifier.js';
import { answersWithProblem } from './problem-answer.js';

/**
 * A Fetch handler (`(request) => Response`, for Bun, Deno, Cloudflare Workers, Next.js route
 * handlers, …) that verifies each request and calls `onWebhook` with the result. Verification
 * failures answer with problem+json (400/401/409, and 503 when the replay store cannot be
 * asked); other errors propagate.
 *
 * @example
 * ```ts
 * export const POST = createWebhookHandler(verifier, async (event) => {
 *   await handle(JSON.parse(new TextDecoder().decode(event.body as Uint8Array)));
 *   return new Response(null, { status: 204 });
 * });
 * ```
 */
export function createWebhookHandler<T = VerifiedWebhook>(
  verifier: WebhookVerifierLike<T>,
  onWebhook: (event: T, request: Request) => Response | Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    let event: T;
    try {
      event = await verifier.verify(request);
    } catch (error) {
      if (answersWithProblem(error)) return problemResponse(error);
      throw error;
    }
    return onWebhook(event, request);
  };
}
