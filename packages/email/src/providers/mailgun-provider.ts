import { EmailConfigError } from '../errors/email-config-error.js';
import { EmailError } from '../errors/email-error.js';
import {
  createHttpProvider,
  type HttpAdapterOptions,
  resolveHttpOptions,
  unexpectedAnswer,
} from '../internal/adapter.js';
import { attachmentBytes } from '../internal/encoding.js';
import { type ProviderResponse, stringField } from '../internal/http.js';
import { providerDetail, providerTextCause } from '../internal/provider-text.js';
import { retryAfterMs } from '../internal/retry-after.js';
import { formatAddress, type NormalizedEmailMessage } from '../message.js';
import type { EmailProvider } from '../provider.js';

/** Options of {@link createMailgunProvider}. */
export interface MailgunProviderOptions extends HttpAdapterOptions {
  /** Mailgun private API key. */
  apiKey: string;
  /** Sending domain, e.g. `mg.example.com`. */
  domain: string;
  /** `us` (api.mailgun.net, default) or `eu` (api.eu.mailgun.net). Ignored when `baseUrl` is set. */
  region?: 'us' | 'eu' | undefined;
}

const NAME = 'mailgun';

function form(m: NormalizedEmailMessage): FormData {
  const data = new FormData();
  data.append('from', formatAddress(m.from));
  for (const a of m.to) data.append('to', formatAddress(a));
  for (const a of m.cc) data.append('cc', formatAddress(a));
  for (const a of m.bcc) data.append('bcc', formatAddress(a));
  data.append('subject', m.subject);
  if (m.text !== undefined) data.append('text', m.text);
  if (m.html !== undefined) data.append('html', m.html);
  if (m.replyTo.length) data.append('h:Reply-To', m.replyTo.map(formatAddress).join(', '));
  for (const [name, value] of Object.entries(m.headers)) data.append(`h:${name}`, value);
  // Mailgun tags are plain strings (at most 3 per message); metadata rides as user variables (`v:`).
  for (const value of Object.values(m.tags).slice(0, 3)) data.append('o:tag', value);
  for (const [key, value] of Object.entries({ ...m.tags, ...m.metadata })) data.append(`v:${key}`, value);
  for (const a of m.attachments) {
    const blob = new Blob([attachmentBytes(a.content)], { type: a.contentType ?? 'application/octet-stream' });
    data.append(a.contentId ? 'inline' : 'attachment', blob, a.contentId ?? a.filename);
  }
  return data;
}

/**
 * Maps a Mailgun error answer (`{ message }` JSON, or plain `Forbidden` on 401; see
 * https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Messages/) to the taxonomy. @internal
 */
export function mapMailgunError(response: ProviderResponse, nowMs: number): EmailError {
  const message = stringField(response.json, 'message');
  // The provider's text quotes recipients: it travels redacted as the cause, never as `detail`.
  const base = {
    provider: NAME,
    providerStatus: response.status,
    detail: providerDetail('Mailgun', response.status),
    cause: providerTextCause('Mailgun', message ?? response.text),
  };
  const { status } = response;
  if (status === 429) {
    return new EmailError({ ...base, code: 'email_rate_limited', retryAfterMs: retryAfterMs(response.headers, nowMs) });
  }
  if (status >= 500) return new EmailError({ ...base, code: 'email_provider_unavailable' });
  // 413 "Request entity too large" (25 MB) comes without a JSON message.
  if (status === 413) return new EmailError({ ...base, code: 'email_invalid_request' });
  // Mailgun answers a bad key with 401 and the plain-text body "Forbidden".
  if (status === 401 && (message !== undefined || response.text.trim() === 'Forbidden')) {
    return new EmailError({ ...base, code: 'email_auth_failed' });
  }
  if (message === undefined) {
    return new EmailError({
      ...base,
      code: 'email_unknown',
      detail: `Mailgun answered ${status} without a JSON message`,
    });
  }
  if (status === 403) return new EmailError({ ...base, code: 'email_auth_failed' });
  if (/'(to|cc|bcc)' parameter is not a valid address/i.test(message)) {
    return new EmailError({ ...base, code: 'email_invalid_recipient' });
  }
  return new EmailError({ ...base, code: 'email_invalid_request' });
}

/** Mailgun ids come as `<id@domain>`; webhooks report them without the brackets. @internal */
export function stripAngles(id: string): string {
  return id.replace(/^<(.*)>$/, '$1');
}

/**
 * Sends through Mailgun (`POST /v3/{domain}/messages`, multipart). The returned
 * `messageId` has its angle brackets removed so it matches webhook events. Mailgun has no
 * idempotency key and no batch of distinct messages: `sendBatch` sends each message on its
 * own, `batchConcurrency` (default 4) at a time.
 *
 * @param options - API key, domain and region plus the common adapter options.
 * @throws {email_config_invalid} when `apiKey` or `domain` is empty.
 * @example
 * ```ts
 * const mailgun = createMailgunProvider({ apiKey: process.env.MAILGUN_API_KEY!, domain: 'mg.example.com' });
 * ```
 */
export function createMailgunProvider(options: MailgunProviderOptions): EmailProvider {
  for (const key of ['apiKey', 'domain'] as const) {
    if (!options[key]) throw new EmailConfigError(key, `Expected \`${key}\` to be a non-empty string`);
  }
  const http = resolveHttpOptions(options);
  const host = options.region === 'eu' ? 'https://api.eu.mailgun.net' : 'https://api.mailgun.net';
  const baseUrl = (options.baseUrl ?? host).replace(/\/$/, '');
  const authorization = `Basic ${btoa(`api:${options.apiKey}`)}`;
  return createHttpProvider(
    {
      name: NAME,
      batchLimit: 1,
      limits: { maxRecipients: 1000, maxAttachmentBytes: 25 * 1024 * 1024 },
      buildRequest: (m) =>
        new Request(`${baseUrl}/v3/${encodeURIComponent(options.domain)}/messages`, {
          method: 'POST',
          headers: { authorization },
          body: form(m),
        }),
      readMessageId: (response) => {
        const id = stringField(response.json, 'id');
        if (!id) throw unexpectedAnswer(NAME, response);
        return stripAngles(id);
      },
      mapError: mapMailgunError,
    },
    http,
  );
}
