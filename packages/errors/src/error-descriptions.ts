import type { baseErrors } from './base-errors.js';

/**
 * When each {@link baseErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const baseErrorDescriptions: Readonly<Record<keyof typeof baseErrors.definitions, string>> = {
  internal_error: 'An unexpected failure; details are logged server-side and never sent to clients.',
  validation_failed: 'The request was well-formed but its content failed validation; see `errors` for each field.',
  not_found: 'The requested resource does not exist.',
  unauthorized: 'Credentials are missing or invalid.',
  forbidden: 'The credentials are valid but do not allow this operation.',
  conflict: 'The request conflicts with the current state of the resource.',
  payload_too_large: 'The request body exceeds the configured limit.',
  unknown_error:
    'An error code that no catalog defines was raised; the code was replaced to keep metric cardinality bounded.',
};
