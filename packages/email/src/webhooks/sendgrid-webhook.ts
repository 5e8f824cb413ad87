import { type Clock, systemClock } from '@bulwark/core';
import { EmailWebhookError } from '../errors/email-webhook-error.js';
import type {
  EmailBounce,
  EmailEvent,
  EmailEventType,
  EmailWebhookRequest,
  ParsedEmailWebhook,
  RejectedEmailEvent,
} from '../events.js';
import { derToP1363, pemBody } from '../internal/ecdsa.js';
import { base64ToBytes, utf8 } from '../internal/encoding.js';
import { stringField } from '../internal/http.js';
import { createKeyCache } from '../internal/key-cache.js';
import { parsedWebhook } from '../internal/parsed-webhook.js';
import {
  bodyBytes,
  bodyText,
  headerReader,
  malformed,
  parseJsonBody,
  toDate,
  unauthentic,
} from '../internal/webhook-input.js';
import { isSecretString, listOf, pickWebhookSecrets } from '../internal/webhook-secrets.js';
import { windowSec, withinWindow } from '../internal/webhook-window.js';
import type { WebhookSecrets } from '../webhook-secrets.js';

/** Options of {@link parseSendGridWebhook} besides `secrets`. */
export interface SendGridWebhookSettings {
  /**
   * Largest accepted distance, in seconds, between the signed timestamp header and
   * `clock.now()`, past or future (edges included). Default {@link SENDGRID_DEFAULT_TOLERANCE_SEC}
   * (300); at most 86 400. SendGrid documents none; without one a signed batch replays forever.
   */
  toleranceSec?: number | undefined;
  /** Clock for the tolerance check. */
  clock?: Clock | undefined;
}

/**
 * Options of {@link parseSendGridWebhook}: `secrets` are the verification key(s) from the
 * Signed Event Webhook settings (base64 DER or PEM; public keys, but they play the secret's role).
 */
export type SendGridWebhookOptions = SendGridWebhookSettings & WebhookSecrets<string>;

const PROVIDER = 'sendgrid';
/**
 * Default `toleranceSec` of the SendGrid parser, in seconds (the Standard Webhooks default).
 *
 * @example
 * ```ts
 * await parseSendGridWebhook(request, { secrets: key, toleranceSec: SENDGRID_DEFAULT_TOLERANCE_SEC * 2 });
 * ```
 */
export const SENDGRID_DEFAULT_TOLERANCE_SEC = 300;

/** The signature headers SendGrid sends. */
export const SENDGRID_SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
/** The timestamp header SendGrid signs with the body. */
export const SENDGRID_TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp';

const RESERVED = new Set([
  'email',
  'timestamp',
  'event',
  'smtp-id',
  'sg_event_id',
  'sg_message_id',
  'sg_template_id',
  'sg_template_name',
  'category',
  'reason',
  'status',
  'response',
  'attempt',
  'type',
  'bounce_classification',
  'useragent',
  'ip',
  'url',
  'url_offset',
  'tls',
  'cert_err',
  'asm_group_id',
  'marketing_campaign_id',
  'marketing_campaign_name',
  'pool',
  'send_at',
  'sg_machine_open',
  'singlesend_id',
  'singlesend_name',
  'template_id',
  'mc_stats',
  'phase_id',
  'post_type',
  'newsletter',
  'sg_content_type',
  'sg_user_id',
]);

const ecdsaKeys = createKeyCache<CryptoKey>();

const SUPPRESSED_DROPS = /^(Bounced Address|Unsubscribed Address|Spam Reporting Address|Invalid)$/i;

/**
 * Verifies SendGrid's ECDSA P-256 signature over `timestamp + rawBody` with Web Crypto.
 * Resolves `true` or `false`; never throws for a bad signature.
 *
 * @param input - Base64 DER signature, timestamp header value and raw body.
 * @param publicKey - Base64 DER (or PEM) SubjectPublicKeyInfo.
 * @example
 * ```ts
 * const ok = await verifySendGridSignature({ signature, timestamp, rawBody }, process.env.SENDGRID_WEBHOOK_KEY!);
 * ```
 */
export async function verifySendGridSignature(
  input: { signature: string; timestamp: string; rawBody: string | Uint8Array },
  publicKey: string,
): Promise<boolean> {
  const spki = base64ToBytes(pemBody(publicKey));
  const der = base64ToBytes(input.signature);
  const signature = der ? derToP1363(der) : undefined;
  if (!spki || !signature) return false;
  let key: CryptoKey;
  try {
    key = await ecdsaKeys(publicKey, () =>
      crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']),
    );
  } catch {
    return false;
  }
  const ts = utf8(input.timestamp);
  const body = bodyBytes(input.rawBody);
  const data = new Uint8Array(ts.length + body.length);
  data.set(ts);
  data.set(body, ts.length);
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, data);
}

function classify(e: Record<string, unknown>): { type: EmailEventType; bounce?: EmailBounce } {
  const diagnostic = stringField(e, 'reason') ?? stringField(e, 'response');
  const code = stringField(e, 'status');
  const detail = { ...(code ? { code } : {}), ...(diagnostic ? { diagnostic } : {}) };
  switch (e.event) {
    case 'processed':
      return { type: 'sent' };
    case 'delivered':
      return { type: 'delivered' };
    case 'deferred':
      return { type: 'deferred' };
    case 'bounce':
      // `type: "blocked"` is SendGrid's soft bounce; `bounce` is permanent.
      return { type: 'bounced', bounce: { kind: e.type === 'blocked' ? 'soft' : 'hard', ...detail } };
    case 'dropped':
      return { type: SUPPRESSED_DROPS.test(diagnostic ?? '') ? 'suppressed' : 'failed' };
    case 'open':
      return { type: 'opened' };
    case 'click':
      return { type: 'clicked' };
    case 'spamreport':
      return { type: 'complained' };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { type: 'unsubscribed' };
    default:
      return { type: 'unknown' };
  }
}

function metadataOf(e: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(e)) {
    if (!RESERVED.has(key) && typeof value === 'string') out[key] = value;
  }
  return out;
}

/**
 * Verifies a SendGrid Event Webhook request (ECDSA P-256 over timestamp + body, timestamp
 * within `toleranceSec`) and normalizes its array of events. An item that cannot be normalized
 * (not an object, no `email` or `timestamp`) does not reject the batch: it is reported in the
 * result's `rejected` list (index, `email_webhook_malformed` error, raw item) and the others
 * are returned. `custom_args` arrive as top-level keys and become `metadata`; `sg_message_id` is
 * cut at `.filter…` so it matches the `X-Message-Id` returned by send.
 * Payloads: https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 *
 * @param request - Headers and raw body.
 * @param options - `secrets` (the verification key(s)), tolerance and clock.
 * @throws {email_config_invalid} when `secrets` is missing or empty.
 * @throws {email_config_invalid} when `toleranceSec` is not in (0, 86400].
 * @throws {email_webhook_signature_invalid} when no key verifies the signature or the timestamp is outside the tolerance.
 * @throws {email_webhook_malformed} when the verified body is not a JSON array (bad items go to `rejected`).
 * @example
 * ```ts
 * const events = await parseSendGridWebhook(request, { secrets: process.env.SENDGRID_WEBHOOK_KEY! });
 * for (const event of events) await store(event);
 * for (const bad of events.rejected) console.warn('SendGrid event skipped', bad.index, bad.error.code);
 * ```
 */
export async function parseSendGridWebhook(
  request: EmailWebhookRequest,
  options: SendGridWebhookOptions,
): Promise<ParsedEmailWebhook> {
  const keys = listOf(pickWebhookSecrets(options, isSecretString, 'a verification key'));
  const toleranceSec = windowSec('toleranceSec', options.toleranceSec, SENDGRID_DEFAULT_TOLERANCE_SEC);
  const clock = options.clock ?? systemClock;
  const header = headerReader(request.headers);
  const signature = header(SENDGRID_SIGNATURE_HEADER);
  const timestamp = header(SENDGRID_TIMESTAMP_HEADER);
  if (!signature || !timestamp) throw unauthentic(PROVIDER, 'Missing SendGrid signature or timestamp header');
  if (!/^\d{1,12}$/.test(timestamp) || !withinWindow(clock.now(), Number(timestamp) * 1000, toleranceSec)) {
    throw unauthentic(PROVIDER, 'The SendGrid timestamp is outside the tolerance');
  }
  let verified = false;
  for (const key of keys) {
    if (await verifySendGridSignature({ signature, timestamp, rawBody: request.rawBody }, key)) verified = true;
  }
  if (!verified) throw unauthentic(PROVIDER, 'The SendGrid signature does not verify');

  const json = parseJsonBody(bodyText(request.rawBody, PROVIDER), PROVIDER);
  if (!Array.isArray(json)) throw malformed(PROVIDER, 'Expected a JSON array of events');
  const events: EmailEvent[] = [];
  const rejected: RejectedEmailEvent[] = [];
  json.forEach((item: unknown, index) => {
    const event = normalize(item, index);
    if (event instanceof EmailWebhookError) rejected.push({ index, error: event, raw: item });
    else events.push(event);
  });
  return parsedWebhook(events, { rejected });
}

/** One SendGrid item as an event, or the malformed-item error (never thrown: the batch goes on). */
function normalize(item: unknown, index: number): EmailEvent | EmailWebhookError {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return malformed(PROVIDER, `Event ${index} is not an object`);
  }
  const e = item as Record<string, unknown>;
  const recipient = typeof e.email === 'string' ? e.email.trim() : '';
  const occurredAt = toDate(e.timestamp);
  if (!recipient || !occurredAt) return malformed(PROVIDER, `Event ${index} has no email or timestamp`);
  const { type, bounce } = classify(e);
  const messageId = stringField(e, 'sg_message_id')?.replace(/\.filter.*$/, '');
  const eventId = stringField(e, 'sg_event_id');
  return {
    type,
    provider: PROVIDER,
    recipient,
    providerMessageId: messageId,
    ...(eventId ? { eventId } : {}),
    occurredAt,
    metadata: metadataOf(e),
    ...(bounce ? { bounce } : {}),
    raw: e,
  };
}
