import { deferredRejection } from './internal/deferred-rejection.js';
import { oneShotVerifier } from './internal/verifier-cache.js';
import type { WebhookScheme } from './schemes.js';
import type { RequestLike, VerifiedWebhook, WebhookInput, WebhookVerifierOptions } from './webhook-verifier.js';

/** Options of the one-shot {@link verify}: the verifier options plus the webhook. */
export type VerifyOptions = WebhookVerifierOptions & (WebhookInput | { readonly request: RequestLike });

function verifyWith(
  options: WebhookVerifierOptions & (WebhookInput | { readonly request: RequestLike }),
  scheme: WebhookScheme | undefined,
): Promise<VerifiedWebhook> {
  try {
    const verifier = oneShotVerifier(options, scheme);
    return verifier.verify('request' in options ? options.request : options);
  } catch (error) {
    return deferredRejection(error);
  }
}

/**
 * Verifies one webhook (one-shot form of {@link createWebhookVerifier}). The verifier for a
 * secret (a string, a parsed secret or a keyring) and configuration is built once and reused,
 * so a one-shot call costs what a call on a reusable verifier costs.
 *
 * @throws {WebhookVerificationError} `webhook_header_missing`, `webhook_header_malformed`,
 *   `webhook_timestamp_invalid`, `webhook_timestamp_too_old`, `webhook_timestamp_in_future`,
 *   `webhook_signature_mismatch`, `webhook_replayed`, `webhook_body_unsupported`.
 * @throws {webhook_secret_malformed} for an invalid configured secret.
 * @example
 * ```ts
 * const { keyId, body } = await verify({ headers: request.headers, body: await request.text(), secrets: secret });
 * ```
 */
export function verify(options: VerifyOptions): Promise<VerifiedWebhook> {
  return verifyWith(options, options.scheme);
}

/** Options of {@link verifyStandardWebhook}. */
export type VerifyStandardWebhookOptions = Omit<WebhookVerifierOptions, 'scheme'> &
  (WebhookInput | { readonly request: RequestLike });

/**
 * Verifies a Standard Webhooks request (Svix, Resend, …): `webhook-*` or `svix-*` headers,
 * `whsec_` secrets, `v1` HMAC and `v1a` Ed25519 signatures.
 *
 * @throws {WebhookVerificationError} as {@link verify}.
 * @example
 * ```ts
 * const event = await verifyStandardWebhook({ headers: req.headers, body: rawBody, secrets: process.env.RESEND_WEBHOOK_SECRET! });
 * ```
 */
export function verifyStandardWebhook(options: VerifyStandardWebhookOptions): Promise<VerifiedWebhook> {
  return verifyWith(options, 'standard');
}
