import { AwsClient } from 'aws4fetch';
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

/** Options of {@link createSesProvider}. */
export interface SesProviderOptions extends HttpAdapterOptions {
  /** AWS region of the SES endpoint, e.g. `eu-west-1`. */
  region: string;
  /** AWS access key id. */
  accessKeyId: string;
  /** AWS secret access key. */
  secretAccessKey: string;
  /** Session token for temporary credentials. */
  sessionToken?: string | undefined;
  /** SES configuration set (needed for event publishing to SNS). */
  configurationSetName?: string | undefined;
}

const NAME = 'ses';
const TAG_SAFE = /[^A-Za-z0-9_\-.@]/g;
const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });

function body(m: NormalizedEmailMessage, configurationSetName: string | undefined): Record<string, unknown> {
  // SES echoes EmailTags as `mail.tags` in event notifications: tags and metadata both go there.
  const tags = Object.entries({ ...m.tags, ...m.metadata }).map(([Name, Value]) => ({
    Name: Name.replace(TAG_SAFE, '_'),
    Value: Value.replace(TAG_SAFE, '_'),
  }));
  return {
    FromEmailAddress: formatAddress(m.from),
    Destination: {
      ToAddresses: m.to.map(formatAddress),
      ...(m.cc.length ? { CcAddresses: m.cc.map(formatAddress) } : {}),
      ...(m.bcc.length ? { BccAddresses: m.bcc.map(formatAddress) } : {}),
    },
    ...(m.replyTo.length ? { ReplyToAddresses: m.replyTo.map(formatAddress) } : {}),
    Content: {
      Simple: {
        Subject: utf8(m.subject),
        Body: {
          ...(m.text === undefined ? {} : { Text: utf8(m.text) }),
          ...(m.html === undefined ? {} : { Html: utf8(m.html) }),
        },
        ...(Object.keys(m.headers).length
          ? { Headers: Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value })) }
          : {}),
        ...(m.attachments.length
          ? {
              Attachments: m.attachments.map((a) => ({
                RawContent: attachmentBase64(a.content),
                FileName: a.filename,
                ...(a.contentType ? { ContentType: a.contentType } : {}),
                ...(a.contentId
                  ? { ContentDisposition: 'INLINE', ContentId: a.contentId }
                  : { ContentDisposition: 'ATTACHMENT' }),
              })),
            }
          : {}),
      },
    },
    ...(tags.length ? { EmailTags: tags } : {}),
    ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
  };
}

/**
 * Maps an SES v2 error (`x-amzn-ErrorType` header plus `{ message }`, see
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors
 * and CommonErrors) to the taxonomy. @internal
 */
export function mapSesError(response: ProviderResponse, nowMs: number): EmailError {
  const rawType = response.headers.get('x-amzn-errortype') ?? stringField(response.json, '__type') ?? '';
  const type = rawType.split(':')[0]?.split('#').pop() ?? '';
  const text = stringField(response.json, 'message') ?? stringField(response.json, 'Message');
  const base = {
    provider: NAME,
    providerStatus: response.status,
    providerCode: type || undefined,
    requestId: response.headers.get('x-amzn-requestid') ?? undefined,
    // The provider's text quotes recipients: it travels redacted as the cause, never as `detail`.
    detail: providerDetail('SES', response.status, type || undefined),
    cause: providerTextCause('SES', text),
  };
  switch (type) {
    case 'TooManyRequestsException':
    case 'ThrottlingException':
    case 'Throttling':
      return new EmailError({
        ...base,
        code: 'email_rate_limited',
        retryAfterMs: retryAfterMs(response.headers, nowMs),
      });
    case 'LimitExceededException':
      return new EmailError({ ...base, code: 'email_rate_limited', quota: true });
    case 'AccountSuspendedException':
    case 'SendingPausedException':
    // "The message can't be sent because the sending domain isn't verified": an unverified sender.
    case 'MailFromDomainNotVerifiedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'IncompleteSignature':
    case 'AccessDeniedException':
    case 'ExpiredTokenException':
    case 'InvalidClientTokenId':
    case 'MissingAuthenticationToken':
    case 'NotAuthorized':
    case 'OptInRequired':
    // The signing time is off by more than 15 minutes: a clock or credentials problem.
    case 'RequestExpired':
      return new EmailError({ ...base, code: 'email_auth_failed' });
    case 'MessageRejected':
      // "Email address is not verified. The following identities failed the check…": the sender
      // (or, in the sandbox, the recipient) identity is unverified — an account problem.
      return new EmailError({
        ...base,
        code: /\bnot verified\b/i.test(text ?? '') ? 'email_auth_failed' : 'email_invalid_request',
      });
    case 'BadRequestException':
    case 'NotFoundException':
    case 'InvalidAction':
    case 'InvalidParameterCombination':
    case 'InvalidParameterValue':
    case 'InvalidQueryParameter':
    case 'MalformedQueryString':
    case 'MissingAction':
    case 'MissingParameter':
    case 'ValidationError':
      return new EmailError({ ...base, code: 'email_invalid_request' });
    case 'InternalFailure':
    case 'ServiceUnavailable':
      return new EmailError({ ...base, code: 'email_provider_unavailable' });
    default:
      if (response.status === 429) return new EmailError({ ...base, code: 'email_rate_limited' });
      if (response.status >= 500) return new EmailError({ ...base, code: 'email_provider_unavailable' });
      return new EmailError({
        ...base,
        code: 'email_unknown',
        detail: type ? base.detail : `SES answered ${response.status} without an error type`,
      });
  }
}

/**
 * Sends through Amazon SES v2 (`POST /v2/email/outbound-emails`), signed with AWS SigV4 by
 * `aws4fetch`. SES has no idempotency key and no batch of distinct messages (`SendBulkEmail`
 * is for templates only): `sendBatch` sends each message on its own, `batchConcurrency`
 * (default 4) at a time — keep it under the account's maximum send rate.
 *
 * @param options - Region and credentials plus the common adapter options.
 * @throws {email_config_invalid} when the region or a credential is empty.
 * @example
 * ```ts
 * const ses = createSesProvider({ region: 'eu-west-1', accessKeyId, secretAccessKey });
 * ```
 */
export function createSesProvider(options: SesProviderOptions): EmailProvider {
  for (const key of ['region', 'accessKeyId', 'secretAccessKey'] as const) {
    if (!options[key]) throw new EmailConfigError(key, `Expected \`${key}\` to be a non-empty string`);
  }
  const http = resolveHttpOptions(options);
  const baseUrl = (options.baseUrl ?? `https://email.${options.region}.amazonaws.com`).replace(/\/$/, '');
  const aws = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    service: 'ses',
    region: options.region,
    retries: 0,
  });
  return createHttpProvider(
    {
      name: NAME,
      batchLimit: 1,
      limits: { maxRecipients: 50, maxAttachmentBytes: 40 * 1024 * 1024 },
      buildRequest: (m) =>
        aws.sign(`${baseUrl}/v2/email/outbound-emails`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(m, options.configurationSetName)),
          aws: { datetime: new Date(http.clock.now()).toISOString().replace(/[:-]|\.\d{3}/g, '') },
        }),
      readMessageId: (response) => {
        const id = stringField(response.json, 'MessageId');
        if (!id) throw unexpectedAnswer(NAME, response);
        return id;
      },
      mapError: mapSesError,
    },
    http,
  );
}
