/**
 * One error taxonomy for services: typed catalogs of flat snake_case codes
 * ({@link defineErrors}, {@link err}), a branded {@link BulwarkError} base class, RFC 9457
 * problem+json bodies ({@link toProblem}, {@link problemResponse}, {@link writeProblem}),
 * zod mapping ({@link fromZodError}), per-code counters with a Prometheus export
 * ({@link createErrorCounter}) and secret redaction for logs ({@link errorLogFields}, {@link redact}).
 *
 * @module
 */
export { type BaseErrorCode, baseErrors, err } from './base-errors.js';
export { brandError, createErrorGuard, hasErrorBrand } from './brand.js';
export { BulwarkError, type BulwarkErrorInit, hasErrorCode, isBulwarkError } from './bulwark-error.js';
export { defineErrors, type ErrOptions, type ErrorCatalog, UNKNOWN_ERROR } from './define-errors.js';
export {
  createErrorCounter,
  type ErrorCount,
  type ErrorCounter,
  type ErrorCounterOptions,
  type ErrorCounterSnapshot,
  type ErrorRecordedEvent,
} from './error-counter.js';
export { type ErrorDefinition, type ErrorDefinitions, MAX_CODE_LENGTH } from './error-definition.js';
export { type ErrorLogFields, type ErrorLogOptions, errorLogFields } from './error-log-fields.js';
export { type ErrorRegistry, errorRegistry } from './error-registry.js';
export { fromZodError, toJsonPointer, type ValidationIssue, type ZodLikeError } from './from-zod-error.js';
export { DEFAULT_PROBLEM_TYPE_BASE, type ProblemDetails, type ProblemOptions, toProblem } from './problem.js';
export {
  PROBLEM_CONTENT_TYPE,
  type ProblemResponseOptions,
  type ProblemWritable,
  problemResponse,
  writeProblem,
} from './problem-response.js';
export { escapeLabelValue, formatPrometheus, type PrometheusFamily, type PrometheusSample } from './prometheus.js';
export { DEFAULT_SECRET_KEYS, type RedactOptions, redact, redactString } from './redact.js';
