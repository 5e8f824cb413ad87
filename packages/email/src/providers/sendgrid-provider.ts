import { EmailConfigError } from '../errors/email-config-error.js';
import { EmailError } from '../errors/email-error.js';
import {
  createHttpProvider,
  type HttpAdapterOptions,
  resolveHttpOptions,
  unexpectedAnswer,
} from '../internal/adapter.js';
import { attachmentBase64 } from '../internal/encoding.js';
import { field, type ProviderResponse, stringField } from '../internal/http.js';
import { providerDetail, providerTextCause } from '../internal/provider-text.js';
import { retryAfterMs } from '../internal/retry-after.js';
import type { EmailAddress, NormalizedEmailMessage } from '../message.js';
import type { EmailProvider } from '../provider.js';

/** Options of {@link createSendGridProvider}. */
export interface SendGridProviderOptions extends HttpAdapterOptions {
  /** SendGrid API key (`SG.…`). */
  apiKey: string;
}

const NAME = 'sendgrid';

const mailbox = (a: EmailAddress) => (a.name === undefined ? { email: a.email } : { email: a.email, name: a.name });

function body(m: NormalizedEmailMessage): Record<string, unknown> {
  const content: Array<{ type: string; value: string }> = [];
  // SendGrid requires text/plain before text/html.
  if (m.text !== undefined) content.push({ type: 'text/plain', value: m.text });
  if (m.html !== undefined) content.push({ type: 'text/html', value: m.html });
  const categories = Object.values(m.tags).slice(0, 10);
  const customArgs = { ...m.tags, ...m.metadata };
  return {
    personalizations: [
      {
        to: m.to.map(mailbox),
        ...(m.cc.length ? { cc: m.cc.map(mailbox) } : {}),
        ...(m.bcc.length ? { bcc: m.bcc.map(mailbox) } : {}),
      },
    ],
    from: mailbox(m.from),
    ...(m.replyTo.length === 1 ? { reply_to: mailbox(m.replyTo[0] as EmailAddress) } : {}),
    ...(m.replyTo.length > 1 ? { reply_to_list: m.replyTo.map(mailbox) } : {}),
    subject: m.subject,
    content,
    ...(Object.keys(m.headers).length ? { headers: m.headers } : {}),
    ...(m.attachments.length
      ? {
          attachments: m.attachments.map((a) => ({
            content: attachmentBase64(a.content),
            filename: a.filename,
            ...(a.contentType ? { type: a.contentType } : {}),
            ...(a.contentId ? { disposition: 'inline', content_id: a.contentId } : { disposition: 'attachment' }),
          })),
        }
      : {}),
    ...(categories.length ? { categories } : {}),
    // custom_args come back on every event webhook: the metadata channel.
    ...(Object.keys(customArgs).length ? { custom_args: customArgs } : {}),
  };
}

/**
 * Maps a SendGrid v3 error answer (`{ errors: [{ message, field, help }] }`, see
 * https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send#responses) to the taxonomy. @internal
 */
export function mapSendGridError(response: ProviderResponse, nowMs: number): EmailError {
  const errors = field(response.json, 'errors');
  const first = Array.isArray(errors) ? errors[0] : undefined;
  const base = {
    provider: NAME,
    providerStatus: response.status,
    providerCode: stringField(first, 'field') ?? undefined,
    requestId: response.headers.get('x-request-id') ?? undefined,
    // The provider's text quotes recipients: it travels redacted as the cause, never as `detail`.
    detail: providerDetail('SendGrid', response.status, stringField(first, 'field')),
    cause: providerTextCause('SendGrid', stringField(first, 'message')),
  };
  const text = stringField(first, 'message') ?? '';
  const { status } = response;
  if (status === 429) {
    return new EmailError({ ...base, code: 'email_rate_limited', retryAfterMs: retryAfterMs(response.headers, nowMs) });
  }
  if (status >= 500) return new EmailError({ ...base, code: 'email_provider_unavailable' });
  // 413 PAYLOAD TOO LARGE (30 MB) may come without an errors list.
  if (status === 413) return new EmailError({ ...base, code: 'email_invalid_request' });
  if (first === undefined) {
    return new EmailError({
      ...base,
      code: 'email_unknown',
      detail: `SendGrid answered ${status} without an errors list`,
    });
  }
  // A spent plan answers 401 "Maximum credits exceeded": the taxonomy's quota variant, not a bad key.
  if (status === 401 && /maximum credits exceeded/i.test(text)) {
    return new EmailError({ ...base, code: 'email_rate_limited', quota: true });
  }
  if (status === 401 || status === 403) return new EmailError({ ...base, code: 'email_auth_failed' });
  if (/^personalizations\.\d+\.(to|cc|bcc)\b/.test(base.providerCode ?? '')) {
    return new EmailError({ ...base, code: 'email_invalid_recipient' });
  }
  return new EmailError({ ...base, code: 'email_invalid_request' });
}

/**
 * Sends through SendGrid (`POST /v3/mail/send`; the message id is the `X-Message-Id`
 * header). SendGrid has no batch-of-distinct-messages API or idempotency key: `sendBatch`
 * sends each message on its own, `batchConcurrency` (default 16) at a time, and a retried
 * timeout may send twice.
 *
 * @param options - API key plus the common adapter options.
 * @throws {email_config_invalid} when `apiKey` is empty.
 * @example
 * ```ts
 * const sendgrid = createSendGridProvider({ apiKey: process.env.SENDGRID_API_KEY! });
 * ```
 */
export function createSendGridProvider(options: SendGridProviderOptions): EmailProvider {
  if (!options.apiKey) throw new EmailConfigError('apiKey', 'Expected `apiKey` to be a non-empty SendGrid API key');
  const http = resolveHttpOptions(options);
  const baseUrl = (options.baseUrl ?? 'https://api.sendgrid.com').replace(/\/$/, '');
  return createHttpProvider(
    {
      name: NAME,
      batchLimit: 1,
      // SendGrid publishes no request limit for mail/send (its 600 requests/min default covers
      // other endpoints) and answers 429 with X-RateLimit-* headers, mapped per message to
      // `email_rate_limited`: 16 in flight sends a 16-message batch in one round trip.
      defaultBatchConcurrency: 16,
      limits: { maxRecipients: 1000, maxAttachmentBytes: 30 * 1024 * 1024 },
      buildRequest: (m) =>
        new Request(`${baseUrl}/v3/mail/send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body(m)),
        }),
      readMessageId: (response) => {
        const id = response.headers.get('x-message-id');
        if (!id) throw unexpectedAnswer(NAME, response);
        return id;
      },
      mapError: mapSendGridError,
    },
    http,
  );
}
