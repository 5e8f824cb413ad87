import { EmailError } from './errors/email-error.js';
import { parseMessageInput } from './internal/message-input.js';

/** A mailbox: `"a@example.com"`, `"Ada <a@example.com>"` or `{ email, name? }`. */
export type EmailAddressInput = string | { email: string; name?: string | undefined };

/** A normalized mailbox. */
export interface EmailAddress {
  /** The address itself, `local@domain`. */
  readonly email: string;
  /** The display name, when given. */
  readonly name?: string;
}

/** One email attachment. */
export interface EmailAttachment {
  /** File name shown to the recipient. */
  readonly filename: string;
  /** Base64 string or raw bytes. */
  readonly content: string | Uint8Array;
  /** MIME type; providers guess when absent. */
  readonly contentType?: string | undefined;
  /** Content-ID for inline images referenced as `cid:…`; makes the attachment inline. */
  readonly contentId?: string | undefined;
}

/** What callers pass to `send()`. */
export interface EmailMessage {
  /** The sender. */
  from: EmailAddressInput;
  /** One or more recipients. */
  to: EmailAddressInput | EmailAddressInput[];
  /** Carbon-copy recipients. */
  cc?: EmailAddressInput | EmailAddressInput[] | undefined;
  /** Blind-carbon-copy recipients. */
  bcc?: EmailAddressInput | EmailAddressInput[] | undefined;
  /** Reply-To addresses. */
  replyTo?: EmailAddressInput | EmailAddressInput[] | undefined;
  /** The subject line. */
  subject: string;
  /** HTML body (one of `html`/`text` is required). */
  html?: string | undefined;
  /** Plain-text body. */
  text?: string | undefined;
  /** Extra MIME headers. */
  headers?: Record<string, string> | undefined;
  /** Files to attach. */
  attachments?: EmailAttachment[] | undefined;
  /** Provider tags, as key/value pairs (flattened where a provider only takes strings). */
  tags?: Record<string, string> | undefined;
  /** Echoed back by webhooks as `EmailEvent.metadata` where the provider supports it. */
  metadata?: Record<string, string> | undefined;
  /** Forwarded where the provider honours it (Resend `Idempotency-Key`); 1–256 characters. */
  idempotencyKey?: string | undefined;
}

/** An {@link EmailMessage} after validation: addresses normalized, lists always arrays. */
export interface NormalizedEmailMessage {
  /** The sender. */
  readonly from: EmailAddress;
  /** Recipients (at least one). */
  readonly to: readonly EmailAddress[];
  /** Carbon-copy recipients. */
  readonly cc: readonly EmailAddress[];
  /** Blind-carbon-copy recipients. */
  readonly bcc: readonly EmailAddress[];
  /** Reply-To addresses. */
  readonly replyTo: readonly EmailAddress[];
  /** The subject line. */
  readonly subject: string;
  /** HTML body. */
  readonly html?: string | undefined;
  /** Plain-text body. */
  readonly text?: string | undefined;
  /** Extra MIME headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Attachments. */
  readonly attachments: readonly EmailAttachment[];
  /** Provider tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Metadata echoed by webhooks. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Idempotency key, when given. */
  readonly idempotencyKey?: string | undefined;
}

/** A key name safe to echo in a detail: an identifier, not arbitrary caller text. */
const KEY_NAME = /^[A-Za-z_$][\w$-]{0,63}$/;

/**
 * An issue's message for the client-facing detail. Unknown keys are named only when they look
 * like field names: a key is caller text and could carry an address or a secret.
 */
function issueMessage(issue: { code?: string; message: string; keys?: readonly PropertyKey[] }): string {
  if (issue.code !== 'unrecognized_keys' || !issue.keys) return issue.message;
  const named = issue.keys.filter((key): key is string => typeof key === 'string' && KEY_NAME.test(key));
  const others = issue.keys.length - named.length;
  const list = [...named.map((key) => `"${key}"`), ...(others ? [`${others} more`] : [])].join(', ');
  return `Unrecognized key${issue.keys.length === 1 ? '' : 's'}: ${list}`;
}

/**
 * Validates and normalizes a message.
 *
 * @param message - The message as the caller wrote it.
 * @param provider - Reported on the error.
 * @throws {email_invalid_request} when the message is invalid; `detail` names the field.
 * @example
 * ```ts
 * const normalized = parseEmailMessage({ from: 'a@x.test', to: 'b@y.test', subject: 'Hi', text: 'Hello' });
 * ```
 */
export function parseEmailMessage(message: EmailMessage, provider = 'local'): NormalizedEmailMessage {
  const result = parseMessageInput(message);
  if ('issues' in result) {
    const detail = result.issues
      .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issueMessage(issue)}`)
      .join('; ');
    throw new EmailError({ code: 'email_invalid_request', provider, detail });
  }
  const m = result.value;
  return {
    from: m.from,
    to: m.to,
    cc: m.cc ?? [],
    bcc: m.bcc ?? [],
    replyTo: m.replyTo ?? [],
    subject: m.subject,
    html: m.html,
    text: m.text,
    headers: m.headers ?? {},
    attachments: m.attachments ?? [],
    tags: m.tags ?? {},
    metadata: m.metadata ?? {},
    idempotencyKey: m.idempotencyKey,
  };
}

/**
 * Formats a mailbox as `Name <email>` (quoted when needed) or bare `email`.
 *
 * @example
 * ```ts
 * formatAddress({ email: 'a@x.test', name: 'Ada' }); // 'Ada <a@x.test>'
 * ```
 */
export function formatAddress(address: EmailAddress): string {
  if (address.name === undefined) return address.email;
  const name = /[",;<>@()]/.test(address.name) ? `"${address.name.replaceAll('"', '\\"')}"` : address.name;
  return `${name} <${address.email}>`;
}
