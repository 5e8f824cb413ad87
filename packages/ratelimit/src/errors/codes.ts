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
    description: 'The client exceeded a rate-limit policy; `Retry-After` says when to try again.',
  },
  rate_limiter_unavailable: {
    status: 503,
    title: 'Temporary Reduced Capacity',
    retryable: true,
    description:
      'The rate limiter could not reach its store within its deadline and failed closed; the request was not processed.',
  },
  rate_limit_invalid_key: {
    status: 500,
    title: 'Invalid Rate Limit Key',
    description: '`limit()` was called with an empty or non-string key (a programming error).',
  },
  rate_limit_key_required: {
    status: 500,
    title: 'Rate Limit Key Required',
    description:
      'A Fetch-based rate-limit middleware has no `key` function and the runtime exposes no client address, so every client would share one bucket (a configuration error).',
  },
});

/** The codes of {@link ratelimitErrors}. */
export type RatelimitErrorCode =
  | 'rate_limit_exceeded'
  | 'rate_limiter_unavailable'
  | 'rate_limit_invalid_key'
  | 'rate_limit_key_required';
