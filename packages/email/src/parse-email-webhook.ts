import type { EmailWebhookObservers } from './email-metrics.js';
import { EmailConfigError } from './errors/email-config-error.js';
import type { EmailWebhookRequest, ParsedEmailWebhook } from './events.js';
import { checkEmailMetrics, countEmailEvents } from './internal/count-email-events.js';
import { type MailgunWebhookOptions, parseMailgunWebhook } from './webhooks/mailgun-webhook.js';
import { type PostmarkWebhookOptions, parsePostmarkWebhook } from './webhooks/postmark-webhook.js';
import { parseResendWebhook, type ResendWebhookOptions } from './webhooks/resend-webhook.js';
import { parseSendGridWebhook, type SendGridWebhookOptions } from './webhooks/sendgrid-webhook.js';
import { parseSesWebhook, type SesWebhookOptions } from './webhooks/ses-webhook.js';

/** The verification options of each provider's webhook, plus `metrics` for all of them. */
export interface EmailWebhookOptionsByProvider {
  /** `secrets`: Svix / Standard Webhooks `whsec_…` secret(s); tolerance, clock, replay store. */
  resend: ResendWebhookOptions & EmailWebhookObservers;
  /** `secrets`: Basic credentials; IP allowlist. */
  postmark: PostmarkWebhookOptions & EmailWebhookObservers;
  /** `secrets`: ECDSA verification key(s); tolerance, clock. */
  sendgrid: SendGridWebhookOptions & EmailWebhookObservers;
  /** No `secrets` (SNS signs with AWS certificates): certificate fetcher, cache, topic allowlist, max age, clock. */
  ses: SesWebhookOptions & EmailWebhookObservers;
  /** `secrets`: HMAC signing key(s); tolerance, clock, replay store. */
  mailgun: MailgunWebhookOptions & EmailWebhookObservers;
}

/** Providers whose webhooks can be parsed. */
export type EmailWebhookProvider = keyof EmailWebhookOptionsByProvider;

type Parser = (request: EmailWebhookRequest, options: never) => Promise<ParsedEmailWebhook>;

const PARSERS: { readonly [P in EmailWebhookProvider]: Parser } = {
  resend: parseResendWebhook,
  postmark: parsePostmarkWebhook,
  sendgrid: parseSendGridWebhook,
  ses: parseSesWebhook,
  mailgun: parseMailgunWebhook,
};

/**
 * Verifies a provider webhook on its raw bytes and returns the normalized events as a frozen
 * array (SendGrid posts batches, one SES notification can name several recipients). For SES,
 * an SNS subscription (un)confirmation is surfaced as the array's `subscriptionConfirmation`
 * (see {@link ParsedEmailWebhook}). Nothing is returned unless verification passed. With
 * `metrics`, each returned event increments `EMAIL_EVENT_METRIC` (`@bulwark/email`) labelled `{ provider, type }`.
 *
 * @param provider - `resend`, `postmark`, `sendgrid`, `ses` or `mailgun`.
 * @param request - `{ headers, rawBody, remoteAddress? }`.
 * @param options - `{ secrets, clock, metrics?, ... }`: the provider's secret(s), clock and provider extras (SES takes no `secrets`).
 * @throws {email_config_invalid} when `provider` is not one of the above (`variable: 'provider'`),
 *   `secrets` is missing, empty or malformed, or `metrics` has no `increment` function.
 * @throws {email_webhook_signature_invalid} when the request is not authentic.
 * @throws {email_webhook_malformed} when an authentic request cannot be parsed.
 * @example
 * ```ts
 * const events = await parseEmailWebhook('sendgrid', { headers: req.headers, rawBody }, { secrets: publicKey, clock });
 * for (const event of events) await store(event);
 * ```
 */
export async function parseEmailWebhook<P extends EmailWebhookProvider>(
  provider: P,
  request: EmailWebhookRequest,
  options: EmailWebhookOptionsByProvider[P],
): Promise<ParsedEmailWebhook> {
  // `hasOwn`, so a name such as `constructor` cannot reach an Object.prototype method.
  if (typeof provider !== 'string' || !Object.hasOwn(PARSERS, provider)) {
    const known = Object.keys(PARSERS).join(', ');
    throw new EmailConfigError('provider', `Unknown email webhook provider \`${String(provider)}\`; expected ${known}`);
  }
  const metrics = checkEmailMetrics((options as EmailWebhookObservers | undefined)?.metrics);
  const parsed = await PARSERS[provider](request, options as never);
  countEmailEvents(metrics, parsed);
  return parsed;
}
