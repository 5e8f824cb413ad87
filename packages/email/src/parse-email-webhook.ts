import type { EmailWebhookRequest, ParsedEmailWebhook } from './events.js';
import { type MailgunWebhookOptions, parseMailgunWebhook } from './webhooks/mailgun-webhook.js';
import { type PostmarkWebhookOptions, parsePostmarkWebhook } from './webhooks/postmark-webhook.js';
import { parseResendWebhook, type ResendWebhookOptions } from './webhooks/resend-webhook.js';
import { parseSendGridWebhook, type SendGridWebhookOptions } from './webhooks/sendgrid-webhook.js';
import { parseSesWebhook, type SesWebhookOptions } from './webhooks/ses-webhook.js';

/** The verification options of each provider's webhook. */
export interface EmailWebhookOptionsByProvider {
  /** `secrets`: Svix / Standard Webhooks `whsec_…` secret(s); tolerance, clock, replay store. */
  resend: ResendWebhookOptions;
  /** `secrets`: Basic credentials; IP allowlist. */
  postmark: PostmarkWebhookOptions;
  /** `secrets`: ECDSA verification key(s); tolerance, clock. */
  sendgrid: SendGridWebhookOptions;
  /** No `secrets` (SNS signs with AWS certificates): certificate fetcher, cache, topic allowlist, max age, clock. */
  ses: SesWebhookOptions;
  /** `secrets`: HMAC signing key(s); tolerance, clock, replay store. */
  mailgun: MailgunWebhookOptions;
}

/** Providers whose webhooks can be parsed. */
export type EmailWebhookProvider = keyof EmailWebhookOptionsByProvider;

/**
 * Verifies a provider webhook on its raw bytes and returns the normalized events
 * (`events` is an array: SendGrid posts batches, one SES notification can name several
 * recipients). Nothing is returned unless verification passed.
 *
 * @param provider - `resend`, `postmark`, `sendgrid`, `ses` or `mailgun`.
 * @param request - `{ headers, rawBody, remoteAddress? }`.
 * @param options - `{ secrets, clock, ... }`: the provider's secret(s), clock and provider extras (SES takes no `secrets`).
 * @throws {email_config_invalid} when `secrets` is missing, empty or malformed.
 * @throws {email_webhook_signature_invalid} when the request is not authentic.
 * @throws {email_webhook_malformed} when an authentic request cannot be parsed.
 * @example
 * ```ts
 * const { events } = await parseEmailWebhook('sendgrid', { headers: req.headers, rawBody }, { secrets: publicKey, clock });
 * for (const event of events) await store(event);
 * ```
 */
export function parseEmailWebhook<P extends EmailWebhookProvider>(
  provider: P,
  request: EmailWebhookRequest,
  options: EmailWebhookOptionsByProvider[P],
): Promise<ParsedEmailWebhook> {
  const byProvider: {
    [K in EmailWebhookProvider]: (o: EmailWebhookOptionsByProvider[K]) => Promise<ParsedEmailWebhook>;
  } = {
    resend: (o) => parseResendWebhook(request, o),
    postmark: (o) => parsePostmarkWebhook(request, o),
    sendgrid: (o) => parseSendGridWebhook(request, o),
    ses: (o) => parseSesWebhook(request, o),
    mailgun: (o) => parseMailgunWebhook(request, o),
  };
  const parse = byProvider[provider] as
    | ((o: EmailWebhookOptionsByProvider[P]) => Promise<ParsedEmailWebhook>)
    | undefined;
  if (!parse) return Promise.reject(new TypeError(`Unknown email webhook provider: ${String(provider)}`));
  return parse(options);
}
