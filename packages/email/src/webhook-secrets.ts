import type { Clock } from '@bulwark/core';

/**
 * The option shape every webhook parser shares, as `parseEmailWebhook(provider, request,
 * { secrets, clock, ... })`. What a secret is depends on the provider: Resend `whsec_…`
 * signing secrets, Postmark Basic credentials (`{ username, password }` or
 * `'username:password'`), SendGrid verification keys (base64 DER or PEM), Mailgun HTTP
 * webhook signing keys. SES has no shared secret (SNS signs with AWS certificates), so its
 * options have no `secrets`.
 *
 * @example
 * ```ts
 * const options: WebhookSecrets<string> = { secrets: [currentKey, previousKey], clock };
 * ```
 */
export interface WebhookSecrets<T> {
  /** The secret(s) that authenticate the provider; list several while rotating. */
  readonly secrets: T | readonly T[];
  /** Time source for timestamp tolerance and replay windows. Default: the system clock. */
  readonly clock?: Clock | undefined;
}
