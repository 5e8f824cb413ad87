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
import { formatAddress, type NormalizedEmailMessage } from '../message.js';
import type { EmailProvider } from '../provider.js';

/** Options of {@link createPostmarkProvider}. */
export interface PostmarkProviderOptions extends HttpAdapterOptions {
  /** Postmark server token (`X-Postmark-Server-Token`). */
  serverToken: string;
  /** Message stream. Default `outbound`. */
  messageStream?: string | undefined;
}

const NAME = 'postmark';

function body(m: NormalizedEmailMessage, messageStream: string): Record<string, unknown> {
  const tagValues = Object.values(m.tags);
  const metadata = { ...m.tags, ...m.metadata };
  return {
    From: formatAddress(m.from),
    To: m.to.map(formatAddress).join(', '),
    ...(m.cc.length ? { Cc: m.cc.map(formatAddress).join(', ') } : {}),
    ...(m.bcc.length ? { Bcc: m.bcc.map(formatAddress).join(', ') } : {}),
    ...(m.replyTo.length ? { ReplyTo: m.replyTo.map(formatAddress).join(', ') } : {}),
    Subject: m.subject,
    ...(m.html === undefined ? {} : { HtmlBody: m.html }),
    ...(m.text === undefined ? {} : { TextBody: m.text }),
    ...(Object.keys(m.headers).length
      ? { Headers: Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value })) }
      : {}),
    ...(m.attachments.length
      ? {
          Attachments: m.attachments.map((a) => ({
            Name: a.filename,
            Content: attachmentBase64(a.content),
            ContentType: a.contentType ?? 'application/octet-stream',
            ...(a.contentId ? { ContentID: `cid:${a.contentId}` } : {}),
          })),
        }
      : {}),
    // Postmark takes one Tag: the first tag value; every tag also travels in Metadata.
    ...(tagValues.length ? { Tag: tagValues[0] } : {}),
    ...(Object.keys(metadata).length ? { Metadata: metadata } : {}),
    MessageStream: messageStream,
  };
}

/**
 * Maps a Postmark `ErrorCode` (https://postmarkapp.com/developer/api/overview#error-codes)
 * to the taxonomy. Used for HTTP errors and for per-message batch results. @internal
 */
export function mapPostmarkError(
  status: number,
  json: unknown,
  headers: Headers | undefined,
  nowMs: number,
): EmailError {
  const errorCode = field(json, 'ErrorCode');
  const message = stringField(json, 'Message');
  const base = {
    provider: NAME,
    providerStatus: status,
    providerCode: typeof errorCode === 'number' ? String(errorCode) : undefined,
    // The provider's text quotes recipients: it travels redacted as the cause, never as `detail`.
    detail: providerDetail('Postmark', status, typeof errorCode === 'number' ? String(errorCode) : undefined),
    cause: providerTextCause('Postmark', message),
  };
  if (typeof errorCode !== 'number') {
    if (status === 429) {
      const wait = headers ? retryAfterMs(headers, nowMs) : undefined;
      return new EmailError({ ...base, code: 'email_rate_limited', retryAfterMs: wait });
    }
    if (status >= 500) return new EmailError({ ...base, code: 'email_provider_unavailable' });
    // 413: the request is over Postmark's size limit, answered without an ErrorCode.
    if (status === 413) return new EmailError({ ...base, code: 'email_invalid_request' });
    return new EmailError({
      ...base,
      code: 'email_unknown',
      detail: `Postmark answered ${status} without an ErrorCode`,
    });
  }
  switch (errorCode) {
    case 10:
    case 400:
    case 401:
    case 412:
    case 413:
      return new EmailError({ ...base, code: 'email_auth_failed' });
    case 405:
      // "Not allowed to send: you have run out of credits": the taxonomy's quota variant.
      return new EmailError({ ...base, code: 'email_rate_limited', quota: true });
    case 406:
      return new EmailError({ ...base, code: 'email_suppressed' });
    case 429:
      return new EmailError({
        ...base,
        code: 'email_rate_limited',
        retryAfterMs: headers ? retryAfterMs(headers, nowMs) : undefined,
      });
    case 100:
      return new EmailError({ ...base, code: 'email_provider_unavailable' });
    case 300:
      // Postmark reports a bad address as a generic "invalid email request" (300).
      return new EmailError({
        ...base,
        code: /Invalid '(To|Cc|Bcc)' address/i.test(message ?? '')
          ? 'email_invalid_recipient'
          : 'email_invalid_request',
      });
    default:
      return new EmailError({ ...base, code: status >= 500 ? 'email_provider_unavailable' : 'email_invalid_request' });
  }
}

/**
 * Sends through Postmark (`POST /email`, `POST /email/batch` up to 500 messages; the batch
 * answers 200 with a per-message `ErrorCode`, reported per item). Postmark has no
 * idempotency key: a retried timeout may send twice.
 *
 * @param options - Server token plus the common adapter options.
 * @throws {email_config_invalid} when `serverToken` is empty.
 * @example
 * ```ts
 * const postmark = createPostmarkProvider({ serverToken: process.env.POSTMARK_SERVER_TOKEN! });
 * ```
 */
export function createPostmarkProvider(options: PostmarkProviderOptions): EmailProvider {
  if (!options.serverToken) {
    throw new EmailConfigError('serverToken', 'Expected `serverToken` to be a non-empty Postmark server token');
  }
  const http = resolveHttpOptions(options);
  const baseUrl = (options.baseUrl ?? 'https://api.postmarkapp.com').replace(/\/$/, '');
  const stream = options.messageStream ?? 'outbound';
  const headers = {
    'x-postmark-server-token': options.serverToken,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  const mapError = (response: ProviderResponse, nowMs: number) =>
    mapPostmarkError(response.status, response.json, response.headers, nowMs);
  return createHttpProvider(
    {
      name: NAME,
      batchLimit: 500,
      limits: { maxRecipients: 50, maxAttachmentBytes: 10 * 1024 * 1024 },
      buildRequest: (m) =>
        new Request(`${baseUrl}/email`, { method: 'POST', headers, body: JSON.stringify(body(m, stream)) }),
      readMessageId: (response) => {
        const id = stringField(response.json, 'MessageID');
        if (!id) throw unexpectedAnswer(NAME, response);
        return id;
      },
      mapError,
      async sendChunk(messages, call) {
        const response = await call(
          new Request(`${baseUrl}/email/batch`, {
            method: 'POST',
            headers,
            body: JSON.stringify(messages.map((m) => body(m, stream))),
          }),
        );
        if (response.status < 200 || response.status >= 300 || !Array.isArray(response.json)) {
          const error =
            response.status >= 200 && response.status < 300
              ? unexpectedAnswer(NAME, response)
              : mapError(response, http.clock.now());
          return messages.map(() => ({ ok: false as const, error }));
        }
        const items = response.json as unknown[];
        return messages.map((_, i) => {
          const item = items[i];
          const id = stringField(item, 'MessageID');
          if (field(item, 'ErrorCode') === 0 && id) return { ok: true as const, messageId: id };
          if (item === undefined) return { ok: false as const, error: unexpectedAnswer(NAME, response) };
          return { ok: false as const, error: mapPostmarkError(response.status, item, undefined, http.clock.now()) };
        });
      },
    },
    http,
  );
}
