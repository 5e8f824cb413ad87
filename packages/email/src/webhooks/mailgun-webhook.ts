import { type Clock, systemClock } from '@bulwark/core';
import { createMemoryReplayStore, type ReplayStore } from '@bulwark/webhooks';
import type { EmailBounce, EmailEvent, EmailEventType, EmailWebhookRequest, ParsedEmailWebhook } from '../events.js';
import { bytesToHex, utf8 } from '../internal/encoding.js';
import { field, stringField } from '../internal/http.js';
import { createKeyCache } from '../internal/key-cache.js';
import { parsedWebhook } from '../internal/parsed-webhook.js';
import { timingSafeEqual } from '../internal/timing-safe-equal.js';
import {
  bodyText,
  failClosedReplayStore,
  malformed,
  parseJsonBody,
  stringRecord,
  toDate,
  unauthentic,
} from '../internal/webhook-input.js';
import { isSecretString, listOf, pickWebhookSecrets } from '../internal/webhook-secrets.js';
import { windowSec, withinWindow } from '../internal/webhook-window.js';
import type { WebhookSecrets } from '../webhook-secrets.js';

/** Options of {@link parseMailgunWebhook} besides `secrets`. */
export interface MailgunWebhookSettings {
  /**
   * Largest accepted distance, in seconds, between `signature.timestamp` and `clock.now()`, past
   * or future (edges included). Default 300; at most 86 400. Claimed tokens are kept this long
   * after their timestamp.
   */
  toleranceSec?: number | undefined;
  /**
   * Refuses a token seen before: Mailgun signs only `timestamp + token`, not the event, so a
   * signature seen once (a log line, a proxy) could carry a forged event to another instance or
   * to this one after a restart. Pass one store shared by every instance: any
   * `@bulwark/webhooks` `ReplayStore`, e.g. `createRedisReplayStore` from
   * `@bulwark/webhooks/redis`. Keys are `mailgun:<token>`, kept for the tolerance window.
   * Default: an in-memory store per process (per `clock`), which protects one process only.
   */
  replayStore?: ReplayStore | undefined;
  /** Clock for the tolerance and replay windows. */
  clock?: Clock | undefined;
}

/** Options of {@link parseMailgunWebhook}: `secrets` are the HTTP webhook signing key(s) (not the API key). */
export type MailgunWebhookOptions = MailgunWebhookSettings & WebhookSecrets<string>;

const PROVIDER = 'mailgun';

/**
 * Default `toleranceSec` of the Mailgun parser, in seconds.
 *
 * @example
 * ```ts
 * await parseMailgunWebhook(request, { secrets: key, toleranceSec: MAILGUN_DEFAULT_TOLERANCE_SEC });
 * ```
 */
export const MAILGUN_DEFAULT_TOLERANCE_SEC = 300;
/** The default in-memory stores, one per clock so expiry follows the clock that set it. */
const defaultStores = new WeakMap<Clock, ReplayStore>();

function defaultStore(clock: Clock): ReplayStore {
  let store = defaultStores.get(clock);
  if (!store) {
    store = createMemoryReplayStore({ clock });
    defaultStores.set(clock, store);
  }
  return store;
}
const hmacKeys = createKeyCache<CryptoKey>();

/**
 * Computes Mailgun's signature: hex HMAC-SHA256 of `timestamp + token` under the signing key.
 *
 * @example
 * ```ts
 * const expected = await mailgunSignature(signingKey, '1529006854', 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0');
 * ```
 */
export async function mailgunSignature(signingKey: string, timestamp: string, token: string): Promise<string> {
  const key = await hmacKeys(signingKey, () =>
    crypto.subtle.importKey('raw', utf8(signingKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  );
  return bytesToHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(timestamp + token))));
}

function classify(data: Record<string, unknown>): { type: EmailEventType; bounce?: EmailBounce } {
  const status = field(data, 'delivery-status');
  const code = stringField(status, 'code');
  const diagnostic = stringField(status, 'description') || stringField(status, 'message');
  const detail = { ...(code ? { code } : {}), ...(diagnostic ? { diagnostic } : {}) };
  switch (data.event) {
    case 'accepted':
      return { type: 'sent' };
    case 'delivered':
      return { type: 'delivered' };
    case 'failed':
      // `failed` + `temporary` is a retry in progress, not a bounce.
      if (data.severity === 'temporary') return { type: 'deferred' };
      if (/^suppress-/.test(stringField(data, 'reason') ?? '')) return { type: 'suppressed' };
      return { type: 'bounced', bounce: { kind: data.severity === 'permanent' ? 'hard' : 'undetermined', ...detail } };
    case 'rejected':
      return { type: 'failed' };
    case 'opened':
      return { type: 'opened' };
    case 'clicked':
      return { type: 'clicked' };
    case 'unsubscribed':
      return { type: 'unsubscribed' };
    case 'complained':
      return { type: 'complained' };
    default:
      return { type: 'unknown' };
  }
}

/**
 * Verifies a Mailgun webhook (HMAC-SHA256 of `timestamp + token`, timestamp tolerance,
 * token replay protection) and normalizes its `event-data`.
 * Payloads: https://documentation.mailgun.com/docs/mailgun/user-manual/events/webhooks/
 *
 * @param request - Headers and raw body (JSON).
 * @param options - `secrets` (the signing key(s)), tolerance, replay store and clock.
 * @throws {email_config_invalid} when `secrets` is missing or empty, or `toleranceSec` is not in (0, 86400].
 * @throws {email_webhook_signature_invalid} when the body carries no signature (not JSON included), on a bad signature, a timestamp outside the tolerance or a replayed token.
 * @throws {email_webhook_malformed} when the authentic body has no usable `event-data`.
 * @throws {email_webhook_replay_unavailable} when the replay store fails (refused, retryable).
 * @example
 * ```ts
 * const [event] = await parseMailgunWebhook(request, { secrets: process.env.MAILGUN_WEBHOOK_SIGNING_KEY! });
 * ```
 */
export async function parseMailgunWebhook(
  request: EmailWebhookRequest,
  options: MailgunWebhookOptions,
): Promise<ParsedEmailWebhook> {
  const keys = listOf(pickWebhookSecrets(options, isSecretString, 'a webhook signing key'));
  const clock = options.clock ?? systemClock;
  const toleranceSec = windowSec('toleranceSec', options.toleranceSec, MAILGUN_DEFAULT_TOLERANCE_SEC);
  // The signature sits inside the body: until it verifies nothing in the body is trusted, so a
  // body without one (not JSON, no `signature` object) is unauthentic, not malformed.
  let json: unknown;
  try {
    json = parseJsonBody(bodyText(request.rawBody, PROVIDER), PROVIDER);
  } catch (error) {
    throw unauthentic(PROVIDER, 'The body is not a signed Mailgun webhook (not JSON)', error);
  }
  const sig = field(json, 'signature');
  const timestamp = stringField(sig, 'timestamp');
  const token = stringField(sig, 'token');
  const signature = stringField(sig, 'signature');
  if (!timestamp || !token || !signature) throw unauthentic(PROVIDER, 'Missing Mailgun signature fields');
  if (!/^\d{1,12}$/.test(timestamp) || !withinWindow(clock.now(), Number(timestamp) * 1000, toleranceSec)) {
    throw unauthentic(PROVIDER, 'The Mailgun timestamp is outside the tolerance');
  }
  let verified = false;
  for (const key of keys) {
    if (await timingSafeEqual(await mailgunSignature(key, timestamp, token), signature.toLowerCase())) verified = true;
  }
  if (!verified) throw unauthentic(PROVIDER, 'The Mailgun signature does not verify');
  // Keep the token as long as its timestamp would still be accepted.
  const ttlMs = Math.max(1, (Number(timestamp) + toleranceSec) * 1000 - clock.now() + 1);
  const store = failClosedReplayStore(options.replayStore ?? defaultStore(clock), PROVIDER);
  if (!(await store.claim(`mailgun:${token}`, ttlMs))) {
    throw unauthentic(PROVIDER, 'The Mailgun token was already used (replay)');
  }

  const data = field(json, 'event-data');
  if (typeof data !== 'object' || data === null) throw malformed(PROVIDER, 'Missing event-data');
  const d = data as Record<string, unknown>;
  const recipient = stringField(d, 'recipient');
  const occurredAt = toDate(d.timestamp);
  if (!recipient || !occurredAt) throw malformed(PROVIDER, 'event-data has no recipient or timestamp');
  const { type, bounce } = classify(d);
  const messageId = stringField(field(field(d, 'message'), 'headers'), 'message-id')?.replace(/^<(.*)>$/, '$1');
  const eventId = stringField(d, 'id');
  const event: EmailEvent = {
    type,
    provider: PROVIDER,
    recipient,
    providerMessageId: messageId,
    ...(eventId ? { eventId } : {}),
    occurredAt,
    metadata: stringRecord(d['user-variables']),
    ...(bounce ? { bounce } : {}),
    raw: d,
  };
  return parsedWebhook([event]);
}
