import type { VerifiedWebhook } from '../webhook-verifier.js';

/**
 * The webhook that {@link expressWebhook} or {@link fastifyWebhook} verified for `request`,
 * typed: the frameworks' request types do not declare the `webhook` property those adapters set.
 *
 * @param request - The framework's request object, after the adapter ran.
 * @returns The verified webhook.
 * @throws {TypeError} when no Bulwark adapter verified this request. That is a routing mistake
 * (a handler mounted without the middleware), never a bad webhook: the adapter answers those.
 * @example
 * ```ts
 * app.post('/webhooks', expressWebhook(verifier), (req, res) => {
 *   const { id, body } = verifiedWebhook(req);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifiedWebhook<T extends { readonly keyId: string } = VerifiedWebhook>(request: object): T {
  const webhook = (request as { webhook?: Partial<VerifiedWebhook> | null }).webhook;
  if (typeof webhook?.keyId !== 'string' || webhook.body === undefined) {
    throw new TypeError(
      'No verified webhook on this request: mount expressWebhook() or fastifyWebhook() before this handler',
    );
  }
  return webhook as unknown as T;
}
