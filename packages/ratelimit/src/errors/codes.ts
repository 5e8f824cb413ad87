import { defineErrors } from '@bulwark/errors';

/**
 * The error codes of `@bulwark/ratelimit`. Limiters never throw these for decisions; the HTTP
 * helpers render `rate_limit_exceeded` (429) and `rate_limiter_unavailable` (503) responses, and
 * `rate_limit_invalid_key` rejects calls made with an unusable key; `rate_limit_key_required` refuses
 * a Fetch middleware that would put every client in one bucket.
 *
 * @example
 * ```ts
 * ratelimitErrors.has('rate_limit_exceeded'); // true
 * ```
 */
export const ratelimitErrors = defineErrors({
  rate_limit_exceeded: {
    status: 429,
    title: 'Quota Exceeded',
    retryable: true,
  },
  rate_limiter_unavailable: {
    status: 503,
    title: 'Temporary Reduced Capacity',
    retryable: true,
  },
  rate_limit_invalid_key: {
    status: 500,
    title: 'Invalid Rate Limit Key',
  },
  rate_limit_key_required: {
    status: 500,
    title: 'Rate Limit Key Required',
  },
});

/** The codes of {@link ratelimitErrors}. */
export type RatelimitErrorCode =
  | 'rate_limit_exceeded'
  | 'rate_limiter_unavailable'
  | 'rate_limit_invalid_key'
  | 'rate_limit_key_required';
