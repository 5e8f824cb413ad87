import { BulwarkError, brandError, createErrorGuard, type ErrOptions, type ErrorDefinition } from '@bulwark/errors';
import { type DeliveryErrorCode, deliveryErrors } from './codes.js';

/**
 * The base of every error `@bulwark/delivery` throws or records. `code` is one of
 * {@link deliveryErrors}; `retryable` says whether a later attempt may succeed.
 *
 * @example
 * ```ts
 * try { await dispatcher.publish(event); } catch (error) {
 *   if (isDeliveryError(error) && error.code === 'delivery_invalid_event') return badRequest();
 * }
 * ```
 */
export class DeliveryError extends BulwarkError<DeliveryErrorCode> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'DeliveryError');

  declare name: 'DeliveryError' | 'EgressRefusedError';

  constructor(code: DeliveryErrorCode, options: ErrOptions = {}) {
    const definition: ErrorDefinition = deliveryErrors.definitions[code];
    super({
      code,
      status: definition.status,
      title: definition.title,
      retryable: options.retryable ?? definition.retryable ?? false,
      detail: options.detail,
      instance: options.instance,
      cause: options.cause,
      extensions: options.extensions,
    });
    this.name = 'DeliveryError';
  }
}

/**
 * Reports whether `value` is a {@link DeliveryError} (or subclass), across duplicate installs.
 *
 * @example
 * ```ts
 * if (isDeliveryError(error)) console.log(error.code);
 * ```
 */
export const isDeliveryError = /* @__PURE__ */ createErrorGuard<DeliveryError>('DeliveryError');
