import { isBulwarkError } from '@bulwark/errors';
import { serverErrors } from './server-errors.js';

// SQLite result codes that mean "could not write now" rather than "bad request": disk full, I/O,
// locked, read-only file system, cannot open. Extended codes start with the primary one.
const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;
// Connection-level failures of a Redis client (ioredis) or the socket under it.
const REDIS_STORAGE =
  /^MaxRetriesPerRequestError$|^OOM |^LOADING |^READONLY |^CLUSTERDOWN |Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/;

/** Retry-After of a storage outage: long enough for a disk to be freed or a store to fail over. */
const STORAGE_RETRY_AFTER_MS = 5_000;

/** Whether an untyped error is a storage outage (a retry later can succeed). */
export function isStorageFailure(error: unknown): boolean {
  if (!(error instanceof Error) || isBulwarkError(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SQLITE_STORAGE.test(code) || REDIS_STORAGE.test(code))) return true;
  return REDIS_STORAGE.test(error.name) || REDIS_STORAGE.test(error.message);
}

/**
 * Turns storage outages into `storage_unavailable` (503, retryable) so well-behaved clients
 * retry instead of dropping work; anything else passes through unchanged.
 */
export function toStorageError(error: unknown): unknown {
  return isStorageFailure(error)
    ? serverErrors.err('storage_unavailable', {
        detail: 'Storage is unavailable; retry later',
        cause: error,
        extensions: { retryAfterMs: STORAGE_RETRY_AFTER_MS },
      })
    : error;
}
