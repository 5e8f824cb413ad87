import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import {
  type WebhookErrorCode,
  type WebhookReplayStoreErrorCode,
  type WebhookVerificationErrorCode,
  webhookErrors,
} from './codes.js';

/** Per-occurrence details of a webhook error. */
export interface WebhookErrorOptions {
  /** Occurrence-specific, secret-free explanation. */
  detail?: string | undefined;
  /** Safe diagnostics (e.g. `{ hint: 'no_supported_version' }`); never contains MACs or secrets. */
  extensions?: Readonly<Record<string, unknown>> | undefined;
  /** The underlying error. */
  cause?: unknown;
}

function init<C extends WebhookErrorCode>(code: C, options: WebhookErrorOptions) {
  const definition: { status: number; title: string; retryable?: boolean } = webhookErrors.definitions[code];
  return {
    code,
    status: definition.status,
    title: definition.title,
    retryable: definition.retryable ?? false,
    detail: options.detail,
    extensions: options.extensions,
    cause: options.cause,
  };
}

/**
 * The base of every error thrown by `@bulwark/webhooks`.
 *
 * @example
 * ```ts
 * if (isWebhookError(error)) console.warn(error.code);
 * ```
 */
export class WebhookError<C extends WebhookErrorCode = WebhookErrorCode> extends BulwarkError<C> {
  override name: 'WebhookError' | 'WebhookVerificationError' | 'WebhookSecretError' | 'WebhookReplayStoreError' =
    'WebhookError';

  constructor(code: C, options: WebhookErrorOptions = {}) {
    super(init(code, options));
    brandError(this, 'WebhookError');
  }
}

/**
 * A received webhook failed verification: missing/malformed headers, timestamp out of
 * tolerance, no matching signature, or a replay. Switch on `code`.
 *
 * @example
 * ```ts
 * try { await verify(input); } catch (e) { if (isWebhookVerificationError(e)) return new Response(null, { status: e.status }); }
 * ```
 */
export class WebhookVerificationError extends WebhookError<WebhookVerificationErrorCode> {
  override name = 'WebhookVerificationError' as const;

  constructor(code: WebhookVerificationErrorCode, options: WebhookErrorOptions = {}) {
    super(code, options);
    brandError(this, 'WebhookVerificationError');
  }
}

/**
 * A configured secret or key is malformed (wrong prefix, not strict base64, wrong length).
 *
 * @example
 * ```ts
 * try { parseSecret('short'); } catch (e) { isWebhookSecretError(e); } // true
 * ```
 */
export class WebhookSecretError extends WebhookError<'webhook_secret_malformed'> {
  override name = 'WebhookSecretError' as const;

  constructor(options: WebhookErrorOptions = {}) {
    super('webhook_secret_malformed', options);
    brandError(this, 'WebhookSecretError');
  }
}

/**
 * The replay store could not be asked within its deadline, or failed: the webhook was not
 * accepted (fail closed). Status 503 and `retryable: true`, so the sender redelivers; the
 * adapters answer it with problem+json like a verification failure. The store's own error is the
 * `cause` (logged, never sent).
 *
 * @example
 * ```ts
 * try { await verifier.verify(request); } catch (e) { if (isWebhookReplayStoreError(e)) return new Response(null, { status: 503 }); }
 * ```
 */
export class WebhookReplayStoreError extends WebhookError<WebhookReplayStoreErrorCode> {
  override name = 'WebhookReplayStoreError' as const;

  constructor(code: WebhookReplayStoreErrorCode, options: WebhookErrorOptions = {}) {
    super(code, options);
    brandError(this, 'WebhookReplayStoreError');
  }
}

/** Reports whether `value` is a {@link WebhookError}, from any copy of this package. */
export const isWebhookError = createErrorGuard<WebhookError>('WebhookError');
/** Reports whether `value` is a {@link WebhookVerificationError}, from any copy of this package. */
export const isWebhookVerificationError = createErrorGuard<WebhookVerificationError>('WebhookVerificationError');
/** Reports whether `value` is a {@link WebhookSecretError}, from any copy of this package. */
export const isWebhookSecretError = createErrorGuard<WebhookSecretError>('WebhookSecretError');
/** Reports whether `value` is a {@link WebhookReplayStoreError}, from any copy of this package. */
export const isWebhookReplayStoreError = createErrorGuard<WebhookReplayStoreError>('WebhookReplayStoreError');
