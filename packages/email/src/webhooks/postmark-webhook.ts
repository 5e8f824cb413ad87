import type { Clock } from '@bulwark/core';
import { EmailConfigError } from '../errors/email-config-error.js';
import type { EmailBounce, EmailEvent, EmailEventType, EmailWebhookRequest, ParsedEmailWebhook } from '../events.js';
import { base64ToBytes } from '../internal/encoding.js';
import { field, stringField } from '../internal/http.js';
import { parsedWebhook } from '../internal/parsed-webhook.js';
import { timingSafeEqual } from '../internal/timing-safe-equal.js';
import {
  bodyText,
  headerReader,
  malformed,
  parseJsonBody,
  stringRecord,
  toDate,
  unauthentic,
} from '../internal/webhook-input.js';
import { listOf, pickWebhookSecrets } from '../internal/webhook-secrets.js';
import { createIpAllowlist, type IpAllowlist, isIpAllowlist } from '../ip-allowlist.js';
import type { WebhookSecrets } from '../webhook-secrets.js';
import { BASIC_CREDENTIALS_FORMS, type BasicCredentials, isBasicCredentials, userPass } from './basic-credentials.js';

/** Options of {@link parsePostmarkWebhook} besides `secrets`. */
export interface PostmarkWebhookSettings {
  /**
   * When set, `request.remoteAddress` must fall in one of these IPv4/IPv6 addresses or CIDR
   * ranges (Postmark publishes its webhook IPs). Pass {@link createIpAllowlist}'s result to
   * validate the entries at startup; a plain list is validated on first use.
   */
  allowedIps?: readonly string[] | IpAllowlist | undefined;
  /** Accepted so every provider takes `{ secrets, clock }`; Postmark requests carry no timestamp, so it is not read. */
  clock?: Clock | undefined;
}

/**
 * Options of {@link parsePostmarkWebhook}: `secrets` are the HTTP Basic credentials on the
 * webhook URL, as `{ username, password }` or `'username:password'` (several while rotating),
 * compared in constant time.
 */
export type PostmarkWebhookOptions = PostmarkWebhookSettings & WebhookSecrets<BasicCredentials | string>;

const PROVIDER = 'postmark';

const BOUNCE_TYPES: Readonly<Record<string, [EmailEventType, EmailBounce['kind'] | undefined]>> = {
  HardBounce: ['bounced', 'hard'],
  BadEmailAddress: ['bounced', 'hard'],
  DMARCPolicy: ['bounced', 'hard'],
  SoftBounce: ['bounced', 'soft'],
  DnsError: ['bounced', 'soft'],
  Blocked: ['bounced', 'soft'],
  Transient: ['deferred', undefined],
  SpamComplaint: ['complained', undefined],
  SpamNotification: ['complained', undefined],
  Unsubscribe: ['unsubscribed', undefined],
  ManuallyDeactivated: ['suppressed', undefined],
  TemplateRenderingFailed: ['failed', undefined],
  AutoResponder: ['unknown', undefined],
  AddressChange: ['unknown', undefined],
  Subscribe: ['unknown', undefined],
  ChallengeVerification: ['unknown', undefined],
  OpenRelayTest: ['unknown', undefined],
  Unconfirmed: ['unknown', undefined],
};

/** Plain lists compiled before, with a copy of their entries so a mutated list is recompiled. */
const compiled = new WeakMap<readonly string[], { readonly source: readonly string[]; readonly list: IpAllowlist }>();

function allowlistOf(allowedIps: readonly string[] | IpAllowlist): IpAllowlist {
  if (isIpAllowlist(allowedIps)) return allowedIps;
  if (!Array.isArray(allowedIps)) {
    throw new EmailConfigError('allowedIps', 'Expected `allowedIps` to be a list of addresses or an IpAllowlist');
  }
  const cached = compiled.get(allowedIps);
  if (cached?.source.length === allowedIps.length && cached.source.every((entry, i) => entry === allowedIps[i])) {
    return cached.list;
  }
  const list = createIpAllowlist(allowedIps);
  compiled.set(allowedIps, { source: [...allowedIps], list });
  return list;
}

async function authenticate(request: EmailWebhookRequest, options: PostmarkWebhookOptions): Promise<void> {
  const secrets = pickWebhookSecrets(options, isBasicCredentials, BASIC_CREDENTIALS_FORMS);
  const accepted = listOf(secrets).map(userPass);
  if (options.allowedIps !== undefined && !allowlistOf(options.allowedIps).allows(request.remoteAddress)) {
    const ip = request.remoteAddress?.trim() || '(none)';
    throw unauthentic(PROVIDER, `Remote address ${ip} is not in the Postmark allowlist`);
  }
  const header = headerReader(request.headers)('authorization') ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header.trim());
  const decoded = match ? base64ToBytes(match[1] as string) : undefined;
  if (!decoded) throw unauthentic(PROVIDER, 'Missing or malformed Basic Authorization header');
  const presented = new TextDecoder().decode(decoded);
  let ok = false;
  // Check every credential so timing does not reveal which one matched.
  for (const expected of accepted) ok = (await timingSafeEqual(presented, expected)) || ok;
  if (!ok) throw unauthentic(PROVIDER, 'Basic credentials do not match');
}

function classify(record: Record<string, unknown>): { type: EmailEventType; bounce?: EmailBounce } {
  switch (record.RecordType) {
    case 'Delivery':
      return { type: 'delivered' };
    case 'Open':
      return { type: 'opened' };
    case 'Click':
      return { type: 'clicked' };
    case 'SpamComplaint':
      return { type: 'complained' };
    case 'SubscriptionChange':
      if (record.SuppressSending !== true) return { type: 'unknown' };
      return { type: record.SuppressionReason === 'ManualSuppression' ? 'unsubscribed' : 'suppressed' };
    case 'Bounce': {
      const bounceType = stringField(record, 'Type') ?? 'Unknown';
      const [type, kind] = BOUNCE_TYPES[bounceType] ?? ['bounced', 'undetermined'];
      if (type !== 'bounced') return { type };
      const diagnostic = stringField(record, 'Details') ?? stringField(record, 'Description');
      return {
        type,
        bounce: { kind: kind ?? 'undetermined', code: bounceType, ...(diagnostic ? { diagnostic } : {}) },
      };
    }
    default:
      return { type: 'unknown' };
  }
}

/**
 * Verifies a Postmark webhook (HTTP Basic credentials in constant time, optional IP
 * allowlist) and normalizes it. Classification is by `RecordType`; the bounce `ID`, which
 * exceeds `Number.MAX_SAFE_INTEGER`, is kept exact as the string `eventId`.
 * Payloads: https://postmarkapp.com/developer/webhooks/webhooks-overview
 *
 * @param request - Headers, raw body and remote address.
 * @param options - `secrets` (the Basic credentials) and IP allowlist.
 * @throws {email_webhook_signature_invalid} on bad credentials or a disallowed IP.
 * @throws {email_webhook_malformed} on a body that is not a Postmark record.
 * @throws {email_config_invalid} when `secrets` is missing, empty or holds a malformed entry, or `allowedIps` holds a malformed entry.
 * @example
 * ```ts
 * const [event] = await parsePostmarkWebhook(request, { secrets: { username: 'pm', password: secret } });
 * ```
 */
export async function parsePostmarkWebhook(
  request: EmailWebhookRequest,
  options: PostmarkWebhookOptions,
): Promise<ParsedEmailWebhook> {
  await authenticate(request, options);
  const json = parseJsonBody(bodyText(request.rawBody, PROVIDER), PROVIDER);
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    typeof field(json, 'RecordType') !== 'string'
  ) {
    throw malformed(PROVIDER, 'Expected a JSON object with a RecordType');
  }
  const record = json as Record<string, unknown>;
  const recipient = stringField(record, 'Recipient') ?? stringField(record, 'Email');
  const occurredAt = toDate(
    record.DeliveredAt ?? record.BouncedAt ?? record.ReceivedAt ?? record.ChangedAt ?? record.SubmittedAt,
  );
  if (!recipient || !occurredAt) throw malformed(PROVIDER, 'The record has no recipient or timestamp');
  const { type, bounce } = classify(record);
  const id = record.ID;
  const event: EmailEvent = {
    type,
    provider: PROVIDER,
    recipient,
    providerMessageId: stringField(record, 'MessageID'),
    ...(typeof id === 'string' || typeof id === 'number' ? { eventId: String(id) } : {}),
    occurredAt,
    metadata: stringRecord(record.Metadata),
    ...(bounce ? { bounce } : {}),
    raw: record,
  };
  return parsedWebhook([event]);
}
