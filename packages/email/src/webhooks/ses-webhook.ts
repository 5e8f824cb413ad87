import { type Clock, systemClock } from '@bulwark/core';
import { z } from 'zod';
import { EmailWebhookError } from '../errors/email-webhook-error.js';
import type { EmailEvent, EmailWebhookRequest, ParsedEmailWebhook, SnsSubscriptionConfirmation } from '../events.js';
import { base64ToBytes, utf8 } from '../internal/encoding.js';
import { type FetchLike, field, stringField } from '../internal/http.js';
import { parsedWebhook } from '../internal/parsed-webhook.js';
import { bodyText, malformed, parseJsonBody, toDate, unauthentic } from '../internal/webhook-input.js';
import { normalizeSesNotification, sesMetadata } from './ses-notification.js';
import { type SnsCertificateCache, snsCertificateKey } from './sns-certificates.js';
import { isSnsUrl } from './sns-url.js';

/** Options of {@link parseSesWebhook}. */
export interface SesWebhookOptions {
  /** Downloads a certificate PEM. Default: GET with `fetch`. */
  fetchCertificate?: ((url: string) => Promise<string>) | undefined;
  /** The fetch used by the default certificate downloader. Default `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Certificate cache, bounded to {@link SNS_CERTIFICATE_CACHE_SIZE} entries. Default: one process-wide cache. */
  certificateCache?: SnsCertificateCache | undefined;
  /** When set, only these topics are accepted. */
  allowedTopicArns?: readonly string[] | undefined;
  /** When set, refuses messages whose SNS `Timestamp` is older than this (replay window), in seconds. */
  maxAgeSec?: number | undefined;
  /** Clock for `maxAgeSec`. */
  clock?: Clock | undefined;
}

const PROVIDER = 'ses';

const envelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string(),
  SigningCertURL: z.string(),
  Subject: z.string().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});
type Envelope = z.infer<typeof envelopeSchema>;

/** The canonical string SNS signs (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). */
function stringToSign(e: Envelope): string {
  const keys =
    e.Type === 'Notification'
      ? ['Message', 'MessageId', ...(e.Subject === undefined ? [] : ['Subject']), 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.map((k) => `${k}\n${(e as Record<string, string | undefined>)[k] ?? ''}\n`).join('');
}

async function verifyEnvelope(e: Envelope, options: SesWebhookOptions): Promise<void> {
  if (!isSnsUrl(e.SigningCertURL) || !new URL(e.SigningCertURL).pathname.endsWith('.pem')) {
    throw unauthentic(PROVIDER, `SigningCertURL is not an https sns.<region>.amazonaws.com .pem URL`);
  }
  if (options.allowedTopicArns && !options.allowedTopicArns.includes(e.TopicArn)) {
    throw unauthentic(PROVIDER, `Topic ${e.TopicArn} is not allowed`);
  }
  if (options.maxAgeSec !== undefined) {
    const sentAt = Date.parse(e.Timestamp);
    const ageMs = (options.clock ?? systemClock).now() - sentAt;
    if (Number.isNaN(sentAt) || ageMs > options.maxAgeSec * 1000) {
      throw unauthentic(PROVIDER, `The SNS message is older than ${options.maxAgeSec} s`);
    }
  }
  let spki: Uint8Array<ArrayBuffer>;
  try {
    spki = await snsCertificateKey(e.SigningCertURL, options);
  } catch (error) {
    throw unauthentic(PROVIDER, 'The SNS signing certificate could not be loaded', error);
  }
  const hash = e.SignatureVersion === '1' ? 'SHA-1' : 'SHA-256';
  const signature = base64ToBytes(e.Signature);
  let ok = false;
  if (signature) {
    try {
      const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
      ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, utf8(stringToSign(e)));
    } catch (error) {
      throw unauthentic(PROVIDER, 'The SNS signing certificate holds no usable RSA key', error);
    }
  }
  if (!ok) throw unauthentic(PROVIDER, 'The SNS signature does not verify');
}

/**
 * Verifies an SNS-delivered SES notification (SignatureVersion 1 = RSA-SHA1, 2 =
 * RSA-SHA256; certificate URL must be https on `sns.<region>.amazonaws.com`; certificates
 * cached) and normalizes it. The SES payload is a JSON string in `Message`, in either the
 * `notificationType` or the `eventType` form; one notification yields one event per recipient.
 * A SubscriptionConfirmation is verified and surfaced as the result's `subscriptionConfirmation`
 * (the array of events is then empty).
 * Payloads: https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html and
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 *
 * @param request - Headers and raw body.
 * @param options - Certificate fetcher/cache and topic allowlist.
 * @throws {email_webhook_signature_invalid} on a bad certificate URL, topic or signature.
 * @throws {email_webhook_malformed} when the envelope or its Message is not what SNS/SES send.
 * @example
 * ```ts
 * const events = await parseSesWebhook(request, { allowedTopicArns: [arn] });
 * if (events.subscriptionConfirmation) await confirmSnsSubscription(events.subscriptionConfirmation);
 * for (const event of events) await store(event);
 * ```
 */
export async function parseSesWebhook(
  request: EmailWebhookRequest,
  options: SesWebhookOptions = {},
): Promise<ParsedEmailWebhook> {
  const parsed = envelopeSchema.safeParse(parseJsonBody(bodyText(request.rawBody, PROVIDER), PROVIDER));
  if (!parsed.success) throw malformed(PROVIDER, 'The body is not an SNS message', parsed.error);
  const envelope = parsed.data;
  if (envelope.Type !== 'Notification' && (!envelope.SubscribeURL || !envelope.Token)) {
    throw malformed(PROVIDER, `${envelope.Type} without SubscribeURL or Token`);
  }
  await verifyEnvelope(envelope, options);
  if (envelope.Type !== 'Notification') {
    const subscriptionConfirmation: SnsSubscriptionConfirmation = {
      type: envelope.Type,
      topicArn: envelope.TopicArn,
      subscribeUrl: envelope.SubscribeURL as string,
      token: envelope.Token as string,
      message: envelope.Message,
      messageId: envelope.MessageId,
    };
    return parsedWebhook([], subscriptionConfirmation);
  }
  let inner: unknown;
  try {
    inner = JSON.parse(envelope.Message);
  } catch (error) {
    throw malformed(PROVIDER, 'The SNS Message is not SES JSON', error);
  }
  if (typeof inner !== 'object' || inner === null || typeof field(inner, 'mail') !== 'object') {
    throw malformed(PROVIDER, 'The SNS Message has no `mail` object');
  }
  const record = inner as Record<string, unknown>;
  const mail = record.mail;
  const metadata = sesMetadata(mail);
  const messageId = stringField(mail, 'messageId');
  const targets = normalizeSesNotification(record);
  const events = targets.map((t): EmailEvent => {
    const occurredAt = toDate(t.at) ?? toDate(envelope.Timestamp);
    if (!occurredAt) throw malformed(PROVIDER, 'The notification has no timestamp');
    return {
      type: t.type,
      provider: PROVIDER,
      recipient: t.recipient,
      providerMessageId: messageId,
      eventId: targets.length > 1 ? `${envelope.MessageId}:${t.recipient}` : envelope.MessageId,
      occurredAt,
      metadata,
      ...(t.bounce ? { bounce: t.bounce } : {}),
      raw: record,
    };
  });
  return parsedWebhook(events);
}

/**
 * Confirms an SNS subscription by GETting its `SubscribeURL`, after checking the URL is on
 * an SNS host.
 *
 * @param confirmation - The `subscriptionConfirmation` of a `parseSesWebhook` or `parseEmailWebhook('ses', …)` result.
 * @param options - The fetch to use.
 * @throws {email_webhook_malformed} when the URL is not an SNS URL or SNS refuses.
 * @example
 * ```ts
 * const events = await parseEmailWebhook('ses', request, {});
 * if (events.subscriptionConfirmation) await confirmSnsSubscription(events.subscriptionConfirmation);
 * ```
 */
export async function confirmSnsSubscription(
  confirmation: SnsSubscriptionConfirmation,
  options: { fetch?: FetchLike | undefined } = {},
): Promise<void> {
  if (!isSnsUrl(confirmation.subscribeUrl)) {
    throw new EmailWebhookError('email_webhook_malformed', PROVIDER, 'SubscribeURL is not an SNS URL');
  }
  const response = await (options.fetch ?? globalThis.fetch)(confirmation.subscribeUrl);
  if (!response.ok) {
    throw new EmailWebhookError(
      'email_webhook_malformed',
      PROVIDER,
      `SNS answered ${response.status} to the confirmation`,
    );
  }
}
