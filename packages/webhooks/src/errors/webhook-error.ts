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
  /** Whether to capture stack frames (default `true`); verification failures are built without. */
  captureStack?: boolean | undefined;
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
    captureStack: options.captureStack,
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
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'WebhookError');

  declare name: 'WebhookError' | 'WebhookVerificationError' | 'WebhookSecretError' | 'WebhookReplayStoreError';

  constructor(code: C, options: WebhookErrorOptions = {}) {
    super(init(code, options));
    // Assigned, not a class field: redefining an own property per subclass level cost more than
    // storing to it (this is on the forged-request path).
    this.name = 'WebhookError';
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
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'WebhookVerificationError');

  declare name: 'WebhookVerificationError';

  constructor(code: WebhookVerificationErrorCode, options: WebhookErrorOptions = {}) {
    super(code, options);
    this.name = 'WebhookVerificationError';
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
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'WebhookSecretError');

  declare name: 'WebhookSecretError';

  constructor(options: WebhookErrorOptions = {}) {
    super('webhook_secret_malformed', options);
    this.name = 'WebhookSecretError';
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
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'WebhookReplayStoreError');

  declare name: 'WebhookReplayStoreError';

  constructor(code: WebhookReplayStoreErrorCode, options: WebhookErrorOptions = {}) {
    super(code, options);
    this.name = 'WebhookReplayStoreError';
  }
}

/** Reports whether `value` is a {@link WebhookError}, from any copy of this package. */
export const isWebhookError = /* @__PURE__ */ createErrorGuard<WebhookError>('WebhookError');
/** Reports whether `value` is a {@link WebhookVerificationError}, from any copy of this package. */
export const isWebhookVerificationError =
  /* @__PURE__ */ createErrorGuard<WebhookVerificationError>('WebhookVerificationError');
/** Reports whether `value` is a {@link WebhookSecretError}, from any copy of this package. */
export const isWebhookSecretError = /* @__PURE__ */ createErrorGuard<WebhookSecretError>('WebhookSecretError');
/** Reports whether `value` is a {@link WebhookReplayStoreError}, from any copy of this package. */
export const isWebhookReplayStoreError =
  /* @__PURE__ */ createErrorGuard<WebhookReplayStoreError>('WebhookReplayStoreError');
