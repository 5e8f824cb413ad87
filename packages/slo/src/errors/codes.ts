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
  },
  slo_sketch_mismatch: {
    status: 409,
    title: 'Sketch Mismatch',
  },
  slo_invalid_export: {
    status: 422,
    title: 'Invalid SLO Export',
  },
});

/** The codes of {@link sloErrors}. */
export type SloErrorCode = 'slo_invalid_sample' | 'slo_sketch_mismatch' | 'slo_invalid_export';
