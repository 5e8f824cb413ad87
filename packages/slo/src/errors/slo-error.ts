import { BulwarkError, brandError, createErrorGuard, type ErrOptions } from '@bulwark/errors';
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
  static {
    brandError(SloError.prototype, 'SloError');
  }

  /** Always `SloError`. */
  declare name: 'SloError';

  /**
   * @param code - One of the {@link SloErrorCode}s.
   * @param options - Detail, cause and extensions.
   */
  constructor(code: SloErrorCode, options: ErrOptions = {}) {
    const base = sloErrors.err(code, options);
    super({
      code,
      status: base.status,
      title: base.title,
      retryable: base.retryable,
      detail: base.detail,
      cause: options.cause,
      extensions: base.extensions,
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
export const isSloError = createErrorGuard<SloError>('SloError');
