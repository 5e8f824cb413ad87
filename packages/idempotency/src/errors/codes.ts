import { defineErrors } from '@bulwark/errors';

/**
 * The error codes of `@bulwark/idempotency`. {@link Idempotency.begin} and {@link Idempotency.run}
 * throw them (as `BulwarkError`s; match on `code`), and the HTTP middleware renders them as
 * RFC 9457 problem+json responses with their status.
 *
 * @example
 * ```ts
 * idempotencyErrors.has('idempotency_key_reused'); // true
 * ```
 */
export const idempotencyErrors = defineErrors({
  idempotency_key_missing: {
    status: 400,
    title: 'Idempotency Key Missing',
    description: 'The operation requires an `Idempotency-Key` request header and none was sent.',
  },
  idempotency_key_invalid: {
    status: 400,
    title: 'Invalid Idempotency Key',
    description:
      'The idempotency key is not a single RFC 8941 sf-string of printable ASCII within the length bounds (or, in the core API, not a non-empty string).',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency Key Reused',
    description:
      'The idempotency key was already used for a request with a different fingerprint (another payload, method or path); the first request stays authoritative.',
  },
  idempotency_request_in_progress: {
    status: 409,
    title: 'Idempotent Request In Progress',
    retryable: true,
    description:
      'A request with the same idempotency key is still being processed; retry after it completes (`retryAfterMs` says when its lock expires at the latest).',
  },
  idempotency_store_unavailable: {
    status: 503,
    title: 'Idempotency Store Unavailable',
    retryable: true,
    description:
      'The idempotency store failed or did not answer within its deadline; the operation was not run (fail closed).',
  },
  idempotency_lock_expired: {
    status: 503,
    title: 'Idempotency Lock Expired',
    retryable: true,
    description:
      'The operation ran longer than its lock (`lockTtlMs`); the signal handed to it aborts with this error because another attempt may now take the key over.',
  },
});

/** The codes of {@link idempotencyErrors}. */
export type IdempotencyErrorCode =
  | 'idempotency_key_missing'
  | 'idempotency_key_invalid'
  | 'idempotency_key_reused'
  | 'idempotency_request_in_progress'
  | 'idempotency_store_unavailable'
  | 'idempotency_lock_expired';
