import { EmailConfigError } from '../errors/email-config-error.js';
import { EmailError } from '../errors/email-error.js';
import {
  createHttpProvider,
  type HttpAdapterOptions,
  resolveHttpOptions,
  unexpectedAnswer,
} from '../internal/adapter.js';
import { attachmentBase64 } from '../internal/encoding.js';
import { type ProviderResponse, stringField } from '../internal/http.js';
import { providerDetail, providerTextCause } from '../internal/provider-text.js';
import { retryAfterMs } from '../internal/retry-after.js';
import { formatAddress, type NormalizedEmailMessage } from '../message.js';
import type { EmailProvider } from '../provider.js';

/** Options of {@link createResendProvider}. */
export interface ResendProviderOptions extends HttpAdapterOptions {
  /** Resend API key (`re_…`). */
  apiKey: string;
}

const NAME = 'resend';

function body(m: NormalizedEmailMessage): Record<string, unknown> {
  // Resend echoes tags in webhooks, so metadata travels as tags too.
  const tags = Object.entries({ ...m.tags, ...m.metadata }).map(([name, value]) => ({ name, value }));
  return {
    from: formatAddress(m.from),
    to: m.to.map(formatAddress),
    ...(m.cc.length ? { cc: m.cc.map(formatAddress) } : {}),
    ...(m.bcc.length ? { bcc: m.bcc.map(formatAddress) } : {}),
    ...(m.replyTo.length ? { reply_to: m.replyTo.map(formatAddress) } : {}),
    subject: m.subject,
    ...(m.html === undefined ? {} : { html: m.html }),
    ...(m.text === undefined ? {} : { text: m.text }),
    ...(Object.keys(m.headers).length ? { headers: m.headers } : {}),
    ...(m.attachments.length
      ? {
          attachments: m.attachments.map((a) => ({
            filename: a.filename,
            content: attachmentBase64(a.content),
            ...(a.contentType ? { content_type: a.contentType } : {}),
            ...(a.contentId ? { content_id: a.contentId } : {}),
          })),
        }
      : {}),
    ...(tags.length ? { tags } : {}),
  };
}

/**
 * Maps a Resend error answer (`{ statusCode, name, message }`, see
 * https://resend.com/docs/api-reference/errors) to the taxonomy. @internal
 */
export function mapResendError(response: ProviderResponse, nowMs: number): EmailError {
  const name = stringField(response.json, 'name');
  const message = stringField(response.json, 'message');
  // The provider's text quotes recipients: it travels redacted as the cause, never as `detail`.
  const base = {
    provider: NAME,
    providerStatus: response.status,
    providerCode: name,
    detail: providerDetail('Resend', response.status, name),
    cause: providerTextCause('Resend', message),
  };
  if (name === undefined) {
    return new EmailError({
      ...base,
      code: response.status >= 500 ? 'email_provider_unavailable' : 'email_unknown',
      detail: `Resend answered ${response.status} without a JSON error body`,
    });
  }
  switch (name) {
    case 'rate_limit_exceeded':
      return new EmailError({
        ...base,
        code: 'email_rate_limited',
        retryAfterMs: retryAfterMs(response.headers, nowMs),
      });
    case 'daily_quota_exceeded':
    case 'monthly_quota_exceeded':
      return new EmailError({
        ...base,
        code: 'email_rate_limited',
        quota: true,
        retryAfterMs: retryAfterMs(response.headers, nowMs),
      });
    case 'missing_api_key':
    case 'restricted_api_key':
    case 'invalid_api_key':
      return new EmailError({ ...base, code: 'email_auth_failed' });
    case 'validation_error':
      // 401 "API key is invalid" (sending endpoints) and 403 "You can only send testing emails to
      // your own email address" (unverified domain) are credential/sender problems, not bad input.
      return new EmailError({
        ...base,
        code: response.status === 401 || response.status === 403 ? 'email_auth_failed' : 'email_invalid_request',
      });
    case 'concurrent_idempotent_requests':
      // 409: the first request with this key is still in progress — it may send. Retry here with
      // the same key (Resend answers with the first result); never hand it to another provider.
      return new EmailError({ ...base, code: 'email_provider_unavailable', maybeSent: true });
    case 'application_error':
    case 'internal_server_error':
      return new EmailError({ ...base, code: 'email_provider_unavailable' });
    default:
      return new EmailError({
        ...base,
        code: response.status >= 500 ? 'email_provider_unavailable' : 'email_invalid_request',
      });
  }
}

/**
 * Sends through Resend (`POST /emails`, `POST /emails/batch` up to 100 messages).
 * `idempotencyKey` is forwarded as the `Idempotency-Key` header; in `sendBatch` a message
 * with a key (or attachments) is sent on its own so the key is never dropped.
 *
 * @param options - API key plus the common adapter options.
 * @throws {email_config_invalid} when `apiKey` is empty.
 * @example
 * ```ts
 * const resend = createResendProvider({ apiKey: process.env.RESEND_API_KEY! });
 * await resend.send({ from: 'a@x.test', to: 'b@y.test', subject: 'Hi', text: 'Hello' });
 * ```
 */
export function createResendProvider(options: ResendProviderOptions): EmailProvider {
  if (!options.apiKey) throw new EmailConfigError('apiKey', 'Expected `apiKey` to be a non-empty Resend API key');
  const http = resolveHttpOptions(options);
  const baseUrl = (options.baseUrl ?? 'https://api.resend.com').replace(/\/$/, '');
  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${options.apiKey}`,
    'content-type': 'application/json',
    ...extra,
  });
  return createHttpProvider(
    {
      name: NAME,
      batchLimit: 100,
      // Resend allows 2 requests/s per team by default: batch calls go one at a time.
      defaultBatchConcurrency: 1,
      limits: { maxRecipients: 50, maxAttachmentBytes: 40 * 1024 * 1024 },
      buildRequest: (m) =>
        new Request(`${baseUrl}/emails`, {
          method: 'POST',
          headers: headers(m.idempotencyKey ? { 'idempotency-key': m.idempotencyKey } : {}),
          body: JSON.stringify(body(m)),
        }),
      readMessageId: (response) => {
        const id = stringField(response.json, 'id');
        if (!id) throw unexpectedAnswer(NAME, response);
        return id;
      },
      mapError: mapResendError,
      async sendChunk(messages, call) {
        const response = await call(
          new Request(`${baseUrl}/emails/batch`, {
            method: 'POST',
            headers: headers(),
            body: JSON.stringify(messages.map(body)),
          }),
        );
        if (response.status < 200 || response.status >= 300) {
          const error = mapResendError(response, http.clock.now());
          return messages.map(() => ({ ok: false as const, error }));
        }
        const data = (response.json as { data?: unknown } | undefined)?.data;
        return messages.map((_, i) => {
          const id = Array.isArray(data) ? stringField(data[i], 'id') : undefined;
          return id
            ? { ok: true as const, messageId: id }
            : { ok: false as const, error: unexpectedAnswer(NAME, response) };
        });
      },
      // The batch endpoint takes no attachments and one Idempotency-Key for the whole call:
      // messages with either go singly, so each keeps its own key.
      canBatch: (m) => m.attachments.length === 0 && m.idempotencyKey === undefined,
    },
    http,
  );
}
