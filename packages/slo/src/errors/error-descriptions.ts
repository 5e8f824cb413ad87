import type { sloErrors } from './codes.js';

/**
 * When each {@link sloErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const sloErrorDescriptions: Readonly<Record<keyof typeof sloErrors.definitions, string>> = {
  slo_invalid_sample:
    'A recorded sample had a duration that is not a finite number ≥ 0 (NaN, negative, Infinity), a route that is not a non-empty string, or an unknown outcome.',
  slo_sketch_mismatch: 'Two sketches with different relative accuracies cannot be merged exactly.',
  slo_invalid_export: 'A JSON export (sketch or recorder) failed validation and was not loaded.',
};
