import { type Clock, systemClock } from '@bulwark/core';
import { EmailConfigError } from '../errors/email-config-error.js';
import { EmailWebhookError } from '../errors/email-webhook-error.js';
import type {
  EmailEvent,
  EmailWebhookRequest,
  ParsedEmailWebhook,
  SnsSubscriptionConfirmation,
  SnsUnsubscribeConfirmation,
} from '../events.js';
import { base64ToBytes, utf8 } from '../internal/encoding.js';
import { type FetchLike, field, stringField } from '../internal/http.js';
import { parsedWebhook } from '../internal/parsed-webhook.js';
import { bodyText, malformed, parseJsonBody, toDate, unauthentic } from '../internal/webhook-input.js';
import { windowSec, withinWindow } from '../internal/webhook-window.js';
import { normalizeSesNotification, sesMetadata } from './ses-notification.js';
import { type SnsCertificateCache, snsCertificateKey } from './sns-certificates.js';
import { readSnsEnvelope, type SnsEnvelope } from './sns-envelope.js';
import { isSnsUrl } from './sns-url.js';

/** Options of {@link parseSesWebhook} besides the topic choice. */
export interface SesWebhookSettings {
  /** Downloads a certificate PEM. Default: GET with `fetch`. */
  fetchCertificate?: ((url: string) => Promise<string>) | undefined;
  /** The fetch used by the default certificate downloader. Default `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Certificate cache, bounded to {@link SNS_CERTIFICATE_CACHE_SIZE} entries. Default: one process-wide cache. */
  certificateCache?: SnsCertificateCache | undefined;
  /**
   * Largest accepted distance, in seconds, between the SNS `Timestamp` and `clock.now()`, past or
   * future (edges included). Default {@link SNS_DEFAULT_MAX_AGE_SEC} (3600: SNS keeps a message's
   * publish time across delivery retries, which a custom HTTP delivery policy spreads over up to
   * an hour). At most 86 400.
   */
  maxAgeSec?: number | undefined;
  /** Clock for `maxAgeSec`. Default: the system clock. */
  clock?: Clock | undefined;
}

/**
 * Options of {@link parseSesWebhook}: the settings plus the accepted topics. `allowedTopicArns`
 * (the exact SNS topic ARNs this endpoint subscribes to) is required: any AWS account can
 * create a topic, subscribe your URL and publish validly signed messages, so without the list a
 * stranger's "complaint" would reach your suppression list. Only `dangerouslyAllowAnyTopic: true`
 * (local experiments) accepts every topic of every account.
 */
export type SesWebhookOptions = SesWebhookSettings &
  (
    | {
        /** The SNS topic ARNs this endpoint subscribes to; others are refused. */
        allowedTopicArns: readonly string[];
        /** Ignored when `allowedTopicArns` is given. */
        dangerouslyAllowAnyTopic?: boolean | undefined;
      }
    | {
        /** Not given: every topic is accepted. */
        allowedTopicArns?: undefined;
        /** Accepts signed messages from every SNS topic of every AWS account. */
        dangerouslyAllowAnyTopic: true;
      }
  );

/**
 * Default `maxAgeSec` of the SES/SNS parser: one hour, in seconds.
 *
 * @example
 * ```ts
 * await parseSesWebhook(request, { allowedTopicArns: [arn], maxAgeSec: SNS_DEFAULT_MAX_AGE_SEC / 2 });
 * ```
 */
export const SNS_DEFAULT_MAX_AGE_SEC = 3600;

/** Resolved, validated options. */
interface ResolvedSesOptions extends SesWebhookSettings {
  readonly allowedTopicArns: readonly string[] | undefined;
  readonly maxAgeSec: number;
  readonly clock: Clock;
}

/** An SNS topic ARN: `arn:<partition>:sns:<region>:<12-digit account>:<topic name>`. */
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/;

function resolveOptions(options: SesWebhookOptions | undefined): ResolvedSesOptions {
  const given = (options ?? {}) as SesWebhookSettings & {
    readonly allowedTopicArns?: unknown;
    readonly dangerouslyAllowAnyTopic?: unknown;
  };
  const { allowedTopicArns, dangerouslyAllowAnyTopic } = given;
  if (dangerouslyAllowAnyTopic !== undefined && typeof dangerouslyAllowAnyTopic !== 'boolean') {
    throw new EmailConfigError('dangerouslyAllowAnyTopic', 'Expected `dangerouslyAllowAnyTopic` to be a boolean');
  }
  if (allowedTopicArns === undefined) {
    if (dangerouslyAllowAnyTopic !== true) {
      throw new EmailConfigError(
        'allowedTopicArns',
        'Expected `allowedTopicArns` to list the SNS topic ARNs this endpoint subscribes to (any AWS account can sign for its own topics); pass `dangerouslyAllowAnyTopic: true` only to accept every topic',
      );
    }
  } else if (
    !Array.isArray(allowedTopicArns) ||
    allowedTopicArns.length === 0 ||
    !allowedTopicArns.every((arn) => typeof arn === 'string' && TOPIC_ARN.test(arn))
  ) {
    throw new EmailConfigError(
      'allowedTopicArns',
      'Expected `allowedTopicArns` to be a non-empty list of SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)',
    );
  }
  return {
    ...given,
    allowedTopicArns: allowedTopicArns as readonly string[] | undefined,
    maxAgeSec: windowSec('maxAgeSec', given.maxAgeSec, SNS_DEFAULT_MAX_AGE_SEC),
    clock: given.clock ?? systemClock,
  };
}

const PROVIDER = 'ses';

type Envelope = SnsEnvelope;

/** The canonical string SNS signs (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). */
function stringToSign(e: Envelope): string {
  const keys =
    e.Type === 'Notification'
      ? ['Message', 'MessageId', ...(e.Subject === undefined ? [] : ['Subject']), 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.map((k) => `${k}\n${(e as unknown as Record<string, string | undefined>)[k] ?? ''}\n`).join('');
}

async function verifyEnvelope(e: Envelope, options: ResolvedSesOptions): Promise<void> {
  if (!isSnsUrl(e.SigningCertURL) || !new URL(e.SigningCertURL).pathname.endsWith('.pem')) {
    throw unauthentic(PROVIDER, `SigningCertURL is not an https sns.<region>.amazonaws.com .pem URL`);
  }
  if (options.allowedTopicArns && !options.allowedTopicArns.includes(e.TopicArn)) {
    throw unauthentic(PROVIDER, 'The SNS topic is not in `allowedTopicArns`');
  }
  if (!withinWindow(options.clock.now(), Date.parse(e.Timestamp), options.maxAgeSec)) {
    throw unauthentic(PROVIDER, `The SNS Timestamp is more than ${options.maxAgeSec} s from now`);
  }
  let spki: Uint8Array<ArrayBuffer>;
  try {
    spki = await snsCertificateKey(e.SigningCertURL, options, options.clock.now());
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
 * Reads the body as an SNS envelope. Until the signature is checked nothing in it is trusted,
 * so a body that is not a complete SNS message is a signature failure, not a malformed one.
 */
function readEnvelope(request: EmailWebhookRequest): Envelope {
  let json: unknown;
  try {
    json = parseJsonBody(bodyText(request.rawBody, PROVIDER), PROVIDER);
  } catch (error) {
    throw unauthentic(PROVIDER, 'The body is not a signed SNS message (not JSON)', error);
  }
  const parsed = readSnsEnvelope(json);
  if ('invalid' in parsed) {
    throw unauthentic(PROVIDER, 'The body is not a signed SNS message', new TypeError(`SNS field ${parsed.invalid}`));
  }
  const envelope = parsed.envelope;
  if (envelope.Type !== 'Notification' && (!envelope.SubscribeURL || !envelope.Token)) {
    throw unauthentic(PROVIDER, `${envelope.Type} without SubscribeURL or Token cannot be verified`);
  }
  return envelope;
}

/**
 * Verifies an SNS-delivered SES notification (SignatureVersion 1 = RSA-SHA1, 2 =
 * RSA-SHA256; certificate URL must be https on `sns.<region>.amazonaws.com`; certificates
 * cached; the topic must be one of `allowedTopicArns`; the SNS `Timestamp` within `maxAgeSec`)
 * and normalizes it. The SES payload is a JSON string in `Message`, in either the
 * `notificationType` or the `eventType` form; one notification yields one event per recipient.
 * A SubscriptionConfirmation is verified and surfaced as the result's
 * `subscriptionConfirmation`, an UnsubscribeConfirmation as `unsubscribeConfirmation` (never to
 * be confirmed); the array of events is then empty.
 * Payloads: https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html and
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 *
 * @param request - Headers and raw body.
 * @param options - `allowedTopicArns` (required), certificate fetcher/cache, `maxAgeSec` and clock.
 * @throws {email_config_invalid} when `allowedTopicArns` is missing (without `dangerouslyAllowAnyTopic: true`) or not a list of topic ARNs, or `maxAgeSec` is out of range.
 * @throws {email_webhook_signature_invalid} when the body is not a complete SNS message, or on a bad certificate URL, topic, timestamp or signature.
 * @throws {email_webhook_malformed} when the authentic message is not what SES sends.
 * @example
 * ```ts
 * const events = await parseSesWebhook(request, { allowedTopicArns: [arn] });
 * if (events.subscriptionConfirmation) await confirmSnsSubscription(events.subscriptionConfirmation);
 * for (const event of events) await store(event);
 * ```
 */
export async function parseSesWebhook(
  request: EmailWebhookRequest,
  options: SesWebhookOptions,
): Promise<ParsedEmailWebhook> {
  const resolved = resolveOptions(options);
  const envelope = readEnvelope(request);
  await verifyEnvelope(envelope, resolved);
  if (envelope.Type === 'UnsubscribeConfirmation') {
    const unsubscribeConfirmation: SnsUnsubscribeConfirmation = {
      type: 'UnsubscribeConfirmation',
      topicArn: envelope.TopicArn,
      message: envelope.Message,
      messageId: envelope.MessageId,
    };
    return parsedWebhook([], { unsubscribeConfirmation });
  }
  if (envelope.Type === 'SubscriptionConfirmation') {
    const subscriptionConfirmation: SnsSubscriptionConfirmation = {
      type: 'SubscriptionConfirmation',
      topicArn: envelope.TopicArn,
      subscribeUrl: envelope.SubscribeURL as string,
      token: envelope.Token as string,
      message: envelope.Message,
      messageId: envelope.MessageId,
    };
    return parsedWebhook([], { subscriptionConfirmation });
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
 * an SNS host. Refuses anything but a SubscriptionConfirmation: confirming an
 * UnsubscribeConfirmation's URL would subscribe the endpoint again.
 *
 * @param confirmation - The `subscriptionConfirmation` of a `parseSesWebhook` or `parseEmailWebhook('ses', …)` result.
 * @param options - The fetch to use.
 * @throws {email_webhook_malformed} when it is not a SubscriptionConfirmation, the URL is not an SNS URL or SNS refuses.
 * @example
 * ```ts
 * const events = await parseEmailWebhook('ses', request, { allowedTopicArns: [topicArn] });
 * if (events.subscriptionConfirmation) await confirmSnsSubscription(events.subscriptionConfirmation);
 * ```
 */
export async function confirmSnsSubscription(
  confirmation: SnsSubscriptionConfirmation,
  options: { fetch?: FetchLike | undefined } = {},
): Promise<void> {
  if ((confirmation as { type?: unknown }).type !== 'SubscriptionConfirmation') {
    throw new EmailWebhookError(
      'email_webhook_malformed',
      PROVIDER,
      'Only a SubscriptionConfirmation can be confirmed (confirming an UnsubscribeConfirmation would subscribe again)',
    );
  }
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
