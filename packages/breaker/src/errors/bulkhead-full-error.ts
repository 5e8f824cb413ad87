import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import { breakerErrors } from './codes.js';

/**
 * Rejection of a call that found the bulkhead's slots and queue full. The call never ran.
 * Code `bulkhead_full`, status 503, `retryable: true`; `@bulwark/retry` never retries it
 * immediately and breakers ignore it by default (local load shedding says nothing about
 * the dependency's health).
 *
 * @example
 * ```ts
 * if (isBulkheadFullError(error)) return new Response(null, { status: 503 });
 * ```
 */
export class BulkheadFullError extends BulwarkError<'bulkhead_full'> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'BulkheadFullError');

  declare name: 'BulkheadFullError';
  /** Concurrent calls allowed. */
  readonly maxConcurrent: number;
  /** Queued calls allowed. */
  readonly maxQueue: number;

  constructor(maxConcurrent: number, maxQueue: number) {
    const definition = breakerErrors.definitions.bulkhead_full;
    super({
      code: 'bulkhead_full',
      status: definition.status,
      title: definition.title,
      retryable: true,
      detail: `Bulkhead is running ${maxConcurrent} calls with ${maxQueue} queued`,
      extensions: { maxConcurrent, maxQueue },
    });
    this.name = 'BulkheadFullError';
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }
}

/**
 * Reports whether `value` is a {@link BulkheadFullError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isBulkheadFullError(error)) shed();
 * ```
 */
export const isBulkheadFullError = /* @__PURE__ */ createErrorGuard<BulkheadFullError>('BulkheadFullError');
