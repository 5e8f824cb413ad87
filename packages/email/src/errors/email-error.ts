import { BulwarkError, brandError, createErrorGuard, type ErrorDefinition, UNKNOWN_ERROR } from '@bulwark/errors';
import { type EmailErrorCode, emailErrors } from './codes.js';

/** Everything an adapter knows about one failed send. */
export interface EmailErrorInit {
  /** The taxonomy code. */
  code: EmailErrorCode;
  /** The provider that failed (`resend`, `postmark`, …). */
  provider: string;
  /** Occurrence detail (the provider's message, never secrets). */
  detail?: string | undefined;
  /** HTTP status the provider answered with, if it answered. */
  providerStatus?: number | undefined;
  /** The provider's own error code or name (`validation_error`, `406`, `MessageRejected`). */
  providerCode?: string | undefined;
  /** The provider's request id, for support tickets. */
  requestId?: string | undefined;
  /** How long to wait before retrying, from `Retry-After`/reset headers. */
  retryAfterMs?: number | undefined;
  /** For `email_rate_limited`: a daily/monthly quota rather than a per-second limit. */
  quota?: boolean | undefined;
  /** For `email_timeout`: the provider may have accepted the message. */
  maybeSent?: boolean | undefined;
  /** Overrides the catalog's retryability. */
  retryable?: boolean | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A failed send, with a stable taxonomy `code` and what the provider said. Match on `code`,
 * never on the message. `status` is the problem-response status from the catalog; the
 * provider's HTTP status is `providerStatus`.
 *
 * @example
 * ```ts
 * try { await provider.send(message); } catch (error) {
 *   if (isEmailError(error) && error.code === 'email_rate_limited') await delay(error.retryAfterMs ?? 1000);
 * }
 * ```
 */
export class EmailError extends BulwarkError<EmailErrorCode> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'EmailError');

  declare name: 'EmailError';
  /** The provider that failed. */
  readonly provider: string;
  /** The provider's HTTP status, if it answered. */
  readonly providerStatus: number | undefined;
  /** The provider's own error code or name. */
  readonly providerCode: string | undefined;
  /** The provider's request id. */
  readonly requestId: string | undefined;
  /** Suggested wait before retrying, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** A daily/monthly quota was exhausted (only with `email_rate_limited`). */
  readonly quota: boolean;
  /** The message may have been sent (only with `email_timeout`). */
  readonly maybeSent: boolean;

  constructor(init: EmailErrorInit) {
    // The definition, not `emailErrors.err()`: that built a second, traced error per construction.
    const known = emailErrors.has(init.code);
    const definition: ErrorDefinition = known ? emailErrors.definitions[init.code] : UNKNOWN_ERROR;
    super({
      code: known ? init.code : ('unknown_error' as EmailErrorCode),
      status: definition.status,
      title: definition.title,
      retryable: init.retryable ?? definition.retryable ?? false,
      detail: init.detail,
      cause: init.cause,
      extensions: {
        provider: init.provider,
        ...(init.retryAfterMs === undefined ? {} : { retryAfterMs: init.retryAfterMs }),
      },
    });
    this.name = 'EmailError';
    this.provider = init.provider;
    this.providerStatus = init.providerStatus;
    this.providerCode = init.providerCode;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.quota = init.quota ?? false;
    this.maybeSent = init.maybeSent ?? false;
  }

  /** A log-safe summary including the provider fields. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      provider: this.provider,
      providerStatus: this.providerStatus,
      providerCode: this.providerCode,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
      quota: this.quota,
      maybeSent: this.maybeSent,
    };
  }
}

/**
 * Reports whether `value` is an {@link EmailError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isEmailError(error) && error.retryable) retryLater();
 * ```
 */
export const isEmailError = /* @__PURE__ */ createErrorGuard<EmailError>('EmailError');
