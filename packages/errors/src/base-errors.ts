import { defineErrors, UNKNOWN_ERROR } from './define-errors.js';

/**
 * The base catalog every service needs. Package-specific codes live in their own packages.
 *
 * @example
 * ```ts
 * baseErrors.has('not_found'); // true
 * ```
 */
export const baseErrors = defineErrors({
  internal_error: {
    status: 500,
    title: 'Internal Server Error',
  },
  validation_failed: {
    status: 422,
    title: 'Validation Failed',
  },
  not_found: { status: 404, title: 'Not Found' },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload Too Large',
  },
  unknown_error: UNKNOWN_ERROR,
});

/**
 * Creates an error from the base catalog.
 *
 * @param code - One of the {@link baseErrors} codes.
 * @param options - Detail, instance, cause and extensions.
 * @example
 * ```ts
 * throw err('not_found', { detail: 'No endpoint with id ep_123', instance: '/endpoints/ep_123' });
 * ```
 */
export const err = baseErrors.err;

/** The codes of the base catalog. */
export type BaseErrorCode =
  | 'internal_error'
  | 'validation_failed'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'payload_too_large'
  | 'unknown_error';
