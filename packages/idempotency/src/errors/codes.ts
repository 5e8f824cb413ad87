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
  },
  idempotency_key_invalid: {
    status: 400,
    title: 'Invalid Idempotency Key',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency Key Reused',
  },
  idempotency_request_in_progress: {
    status: 409,
    title: 'Idempotent Request In Progress',
    retryable: true,
  },
  idempotency_store_unavailable: {
    status: 503,
    title: 'Idempotency Store Unavailable',
    retryable: true,
  },
  idempotency_lock_expired: {
    status: 503,
    title: 'Idempotency Lock Expired',
    retryable: true,
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
