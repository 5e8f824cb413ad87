import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import { ratelimitErrors } from './codes.js';

/**
 * Rejects {@link RateLimiter.limit} when the key is empty or not a string. It signals a bug in
 * the caller (for example a key extractor that returned nothing), not a rate-limit decision.
 *
 * @example
 * ```ts
 * await limiter.limit('').catch((e) => isRateLimitKeyError(e)); // true
 * ```
 */
export class RateLimitKeyError extends BulwarkError<'rate_limit_invalid_key'> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'RateLimitKeyError');

  declare name: 'RateLimitKeyError';

  constructor(detail: string) {
    const d = ratelimitErrors.definitions.rate_limit_invalid_key;
    super({ code: 'rate_limit_invalid_key', status: d.status, title: d.title, detail });
    this.name = 'RateLimitKeyError';
  }
}

/**
 * Reports whether `value` is a {@link RateLimitKeyError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isRateLimitKeyError(error)) logger.error('bad rate-limit key');
 * ```
 */
export const isRateLimitKeyError = /* @__PURE__ */ createErrorGuard<RateLimitKeyError>('RateLimitKeyError');
