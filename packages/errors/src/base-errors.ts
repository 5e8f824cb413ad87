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
    description: 'An unexpected failure; details are logged server-side and never sent to clients.',
  },
  validation_failed: {
    status: 422,
    title: 'Validation Failed',
    description: 'The request was well-formed but its content failed validation; see `errors` for each field.',
  },
  not_found: { status: 404, title: 'Not Found', description: 'The requested resource does not exist.' },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    description: 'Credentials are missing or invalid.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The credentials are valid but do not allow this operation.',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description: 'The request conflicts with the current state of the resource.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload Too Large',
    description: 'The request body exceeds the configured limit.',
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
