import type { idempotencyErrors } from './codes.js';

/**
 * When each {@link idempotencyErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const idempotencyErrorDescriptions: Readonly<Record<keyof typeof idempotencyErrors.definitions, string>> = {
  idempotency_key_missing: 'The operation requires an `Idempotency-Key` request header and none was sent.',
  idempotency_key_invalid:
    'The idempotency key is not a single RFC 8941 sf-string of printable ASCII within the length bounds (or, in the core API, not a non-empty string).',
  idempotency_key_reused:
    'The idempotency key was already used for a request with a different fingerprint (another payload, method or path); the first request stays authoritative.',
  idempotency_request_in_progress:
    'A request with the same idempotency key is still being processed; retry after it completes (`retryAfterMs` says when its lock expires at the latest).',
  idempotency_store_unavailable:
    'The idempotency store failed or did not answer within its deadline; the operation was not run (fail closed).',
  idempotency_lock_expired:
    'The operation ran longer than its lock (`lockTtlMs`); the signal handed to it aborts with this error because another attempt may now take the key over.',
};
