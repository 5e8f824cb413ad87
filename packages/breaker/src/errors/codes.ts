import { defineErrors } from '@bulwark/errors';

/**
 * The error catalog of `@bulwark/breaker`. Match on `code`, never on the message.
 *
 * @example
 * ```ts
 * breakerErrors.has('circuit_open'); // true
 * ```
 */
export const breakerErrors = defineErrors({
  circuit_open: {
    status: 503,
    title: 'Circuit Open',
    retryable: true,
  },
  call_timeout: {
    status: 504,
    title: 'Call Timeout',
    retryable: true,
  },
  bulkhead_full: {
    status: 503,
    title: 'Bulkhead Full',
    retryable: true,
  },
});

/** The codes this package raises. */
export type BreakerErrorCode = 'circuit_open' | 'call_timeout' | 'bulkhead_full';
