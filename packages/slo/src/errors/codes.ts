import { defineErrors, type ErrorCatalog, type ErrorDefinition } from '@bulwark/errors';

/**
 * The error catalog of `@bulwark/slo`. Match on `code`, never on the message.
 *
 * @example
 * ```ts
 * sloErrors.has('slo_invalid_sample'); // true
 * ```
 */
export const sloErrors: ErrorCatalog<Record<SloErrorCode, ErrorDefinition>> = defineErrors({
  slo_invalid_sample: {
    status: 400,
    title: 'Invalid Latency Sample',
    description:
      'A recorded sample had a duration that is not a finite number ≥ 0 (NaN, negative, Infinity), a route that is not a non-empty string, or an unknown outcome.',
  },
  slo_sketch_mismatch: {
    status: 409,
    title: 'Sketch Mismatch',
    description: 'Two sketches with different relative accuracies cannot be merged exactly.',
  },
  slo_invalid_export: {
    status: 422,
    title: 'Invalid SLO Export',
    description: 'A JSON export (sketch or recorder) failed validation and was not loaded.',
  },
});

/** The codes of {@link sloErrors}. */
export type SloErrorCode = 'slo_invalid_sample' | 'slo_sketch_mismatch' | 'slo_invalid_export';
