import { BulwarkError, brandError, createErrorGuard, type ErrorDefinition, UNKNOWN_ERROR } from '@bulwark/errors';
import { type EmailWebhookErrorCode, emailErrors } from './codes.js';

/**
 * A webhook request that was rejected: `email_webhook_signature_invalid` (not authentic),
 * `email_webhook_malformed` (authentic but unparseable) or `email_webhook_replay_unavailable`
 * (the replay store could not be asked: refused, retryable). Nothing is emitted when it is thrown.
 * It describes the request, not the code path, so it carries no stack trace (`stack` is `undefined`):
 * a forged request must not cost more than a verified one.
 *
 * @example
 * ```ts
 * try { await parseEmailWebhook('mailgun', request, options); } catch (error) {
 *   if (isEmailWebhookError(error)) return new Response(null, { status: error.status });
 * }
 * ```
 */
export class EmailWebhookError extends BulwarkError<EmailWebhookErrorCode> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'EmailWebhookError');

  declare name: 'EmailWebhookError';
  /** The provider whose webhook was rejected. */
  readonly provider: string;

  constructor(code: EmailWebhookErrorCode, provider: string, detail: string, cause?: unknown) {
    const definition: ErrorDefinition = emailErrors.has(code) ? emailErrors.definitions[code] : UNKNOWN_ERROR;
    super({
      code,
      status: definition.status,
      title: definition.title,
      retryable: definition.retryable ?? false,
      detail,
      cause,
      extensions: { provider },
      captureStack: false,
    });
    this.name = 'EmailWebhookError';
    this.provider = provider;
  }
}

/**
 * Reports whether `value` is an {@link EmailWebhookError}.
 *
 * @example
 * ```ts
 * if (isEmailWebhookError(error) && error.code === 'email_webhook_signature_invalid') return unauthorized();
 * ```
 */
export const isEmailWebhookError = /* @__PURE__ */ createErrorGuard<EmailWebhookError>('EmailWebhookError');
