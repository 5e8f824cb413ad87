import type { Clock } from '@bulwark/core';
import { isWebhookVerificationError, type ReplayStore, verifyStandardWebhook } from '@bulwark/webhooks';
import { EmailWebhookError, isEmailWebhookError } from '../errors/email-webhook-error.js';
import type { EmailBounce, EmailEvent, EmailEventType, EmailWebhookRequest, ParsedEmailWebhook } from '../events.js';
import { field, stringField } from '../internal/http.js';
import { parsedWebhook } from '../internal/parsed-webhook.js';
import {
  bodyText,
  failClosedReplayStore,
  headerReader,
  malformed,
  parseJsonBody,
  toDate,
  unauthentic,
} from '../internal/webhook-input.js';
import { isSecretString, pickWebhookSecrets } from '../internal/webhook-secrets.js';
import { windowSec } from '../internal/webhook-window.js';
import type { WebhookSecrets } from '../webhook-secrets.js';
import { resendRecipient } from './resend-recipient.js';

/** Options of {@link parseResendWebhook} besides `secrets`. */
export interface ResendWebhookSettings {
  /** Accepted timestamp skew in seconds, past and future. Default 300; in (0, 86400]. */
  toleranceSec?: number | undefined;
  /** Clock for the tolerance check. */
  clock?: Clock | undefined;
  /** Refuses a second delivery of the same `svix-id` (a `@bulwark/webhooks` replay store). */
  replayStore?: ReplayStore | undefined;
}

/** Options of {@link parseResendWebhook}: `secrets` are the endpoint's `whsec_…` signing secret(s). */
export type ResendWebhookOptions = ResendWebhookSettings & WebhookSecrets<string>;

const PROVIDER = 'resend';

const TYPES: Readonly<Record<string, EmailEventType>> = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'deferred',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
};

const BOUNCE_KINDS: Readonly<Record<string, EmailBounce['kind']>> = {
  Permanent: 'hard',
  Transient: 'soft',
};

/** Resend sends `tags` as an object, or as `[{ name, value }]`. */
function tagsOf(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      const name = stringField(tag, 'name');
      const value = stringField(tag, 'value');
      if (name !== undefined && value !== undefined) out[name] = value;
    }
  } else if (typeof tags === 'object' && tags !== null) {
    for (const [name, value] of Object.entries(tags)) if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * Verifies a Resend webhook (Svix / Standard Webhooks signature, via `@bulwark/webhooks`)
 * and normalizes it into one event. Resend sends one event per recipient but lists the whole
 * `to` in each: the event's `recipient` is the only address in `to`, or the one the bounce or
 * complaint detail names; otherwise it is `''` with the addresses as `candidates`, and
 * `suppressionsFromEvents` skips it. `tags` (object or array) become `metadata`.
 * Payloads: https://resend.com/docs/dashboard/webhooks/event-types
 *
 * @param request - Headers (`svix-id`, `svix-timestamp`, `svix-signature`) and raw body.
 * @param options - `secrets` (the `whsec_…` secret(s)), tolerance, clock and replay store.
 * @throws {email_config_invalid} when `secrets` is missing or empty.
 * @throws {email_webhook_signature_invalid} when the signature, timestamp or id does not verify.
 * @throws {email_webhook_malformed} when the verified body is not a Resend event.
 * @throws {email_webhook_replay_unavailable} when the replay store fails (refused, retryable).
 * @example
 * ```ts
 * const events = await parseResendWebhook(request, { secrets: process.env.RESEND_WEBHOOK_SECRET! });
 * for (const event of events) await store(event);
 * ```
 */
export async function parseResendWebhook(
  request: EmailWebhookRequest,
  options: ResendWebhookOptions,
): Promise<ParsedEmailWebhook> {
  const secrets = pickWebhookSecrets(options, isSecretString, 'a `whsec_…` signing secret');
  const tolerance = windowSec('toleranceSec', options.toleranceSec, 300);
  try {
    await verifyStandardWebhook({
      headers: request.headers,
      body: request.rawBody,
      secrets,
      tolerance: { pastSec: tolerance, futureSec: tolerance },
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.replayStore ? { replayStore: failClosedReplayStore(options.replayStore, PROVIDER) } : {}),
    });
  } catch (error) {
    if (isEmailWebhookError(error)) throw error;
    // `@bulwark/webhooks` reports a failing store as its own `webhook_replay_store_*` error.
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('webhook_replay_store_')) {
      throw new EmailWebhookError(
        'email_webhook_replay_unavailable',
        PROVIDER,
        'The replay store could not be asked whether this webhook was seen before; refused',
        error,
      );
    }
    if (isWebhookVerificationError(error)) {
      throw unauthentic(PROVIDER, `The Resend signature does not verify (${error.code})`, error);
    }
    throw error;
  }
  const json = parseJsonBody(bodyText(request.rawBody, PROVIDER), PROVIDER);
  const kind = stringField(json, 'type');
  const data = field(json, 'data');
  if (!kind || typeof data !== 'object' || data === null) throw malformed(PROVIDER, 'Expected `{ type, data }`');
  const occurredAt = toDate(field(json, 'created_at')) ?? toDate(field(data, 'created_at'));
  if (!occurredAt) throw malformed(PROVIDER, 'The event has no created_at');
  const type = TYPES[kind] ?? 'unknown';
  const bounceData = field(data, 'bounce');
  const diagnostic = stringField(bounceData, 'message');
  const code = stringField(bounceData, 'subType');
  const bounce: EmailBounce | undefined =
    type === 'bounced'
      ? {
          kind: BOUNCE_KINDS[stringField(bounceData, 'type') ?? ''] ?? 'undetermined',
          ...(code ? { code } : {}),
          ...(diagnostic ? { diagnostic } : {}),
        }
      : undefined;
  const eventId = headerReader(request.headers)('svix-id') ?? headerReader(request.headers)('webhook-id');
  const metadata = tagsOf(field(data, 'tags'));
  const { recipient, candidates } = resendRecipient(data);
  const event: EmailEvent = {
    type,
    provider: PROVIDER,
    recipient,
    ...(candidates ? { candidates } : {}),
    providerMessageId: stringField(data, 'email_id'),
    ...(eventId ? { eventId } : {}),
    occurredAt,
    metadata,
    ...(bounce ? { bounce } : {}),
    raw: json,
  };
  return parsedWebhook([event]);
}
