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
    description:
      'The circuit breaker for a dependency is open (or its half-open trial permits are taken), so the call was rejected without running; `retryAfterMs` says when to try again.',
  },
  call_timeout: {
    status: 504,
    title: 'Call Timeout',
    retryable: true,
    description:
      'A call guarded by a breaker or timeout policy did not settle within `timeoutMs`; its signal was aborted and its late result is ignored.',
  },
  bulkhead_full: {
    status: 503,
    title: 'Bulkhead Full',
    retryable: true,
    description:
      'The bulkhead already runs `maxConcurrent` calls and its queue of `maxQueue` is full, so the call was rejected without running.',
  },
});

/** The codes this package raises. */
export type BreakerErrorCode = 'circuit_open' | 'call_timeout' | 'bulkhead_full';
