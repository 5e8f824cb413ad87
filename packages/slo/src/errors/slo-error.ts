import {
  BulwarkError,
  brandError,
  createErrorGuard,
  type ErrOptions,
  type ErrorDefinition,
  UNKNOWN_ERROR,
} from '@bulwark/errors';
import { type SloErrorCode, sloErrors } from './codes.js';

/**
 * The error `@bulwark/slo` throws: a `BulwarkError` (from `@bulwark/errors`) with one of the {@link SloErrorCode}s.
 *
 * @example
 * ```ts
 * try { recorder.record('GET /a', Number.NaN); } catch (e) { if (isSloError(e)) console.log(e.code); }
 * ```
 */
export class SloError extends BulwarkError<SloErrorCode> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'SloError');

  /** Always `SloError`. */
  declare name: 'SloError';

  /**
   * @param code - One of the {@link SloErrorCode}s.
   * @param options - Detail, cause and extensions.
   */
  constructor(code: SloErrorCode, options: ErrOptions = {}) {
    // The definition, not `sloErrors.err()`: that built a second, traced error per construction.
    const definition: ErrorDefinition = sloErrors.has(code) ? sloErrors.definitions[code] : UNKNOWN_ERROR;
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
    this.name = 'SloError';
  }
}

/**
 * Reports whether `value` is a {@link SloError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isSloError(error) && error.code === 'slo_invalid_sample') countBadInput();
 * ```
 */
export const isSloError = /* @__PURE__ */ createErrorGuard<SloError>('SloError');
