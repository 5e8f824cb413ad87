import { isBulwarkError } from './bulwark-error.js';
import { redact, redactString } from './redact.js';

/** The structured fields to log once per failed request. */
export interface ErrorLogFields {
  /** Stable code; `internal_error` for non-Bulwark errors. */
  error_code: string;
  /** HTTP status that was (or will be) returned. */
  error_status: number;
  /** Whether the failure is retryable. */
  error_retryable: boolean;
  /** Error class name. */
  error_name: string;
  /** Internal message with secrets masked (never sent to clients). */
  error_message: string;
  /** Request correlation id, when given. */
  request_id?: string;
  /** The cause chain (name, code, masked message), outermost first, cycle-safe. */
  error_causes?: Array<{ name: string; code?: string; message: string }>;
  /** Masked extension members. */
  error_extensions?: unknown;
}

/** Options of {@link errorLogFields}. */
export interface ErrorLogOptions {
  /** Request correlation id. */
  requestId?: string | undefined;
  /** Extra key names to mask. */
  redactKeys?: readonly string[] | undefined;
  /** Deepest cause followed (default 5). */
  maxCauses?: number | undefined;
}

function describe(value: unknown): { name: string; message: string; code?: string } {
  if (value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value)) {
    const e = value as { name?: unknown; message?: unknown; code?: unknown };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: redactString(String(e.message).slice(0, 2048)),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
    };
  }
  return { name: typeof value, message: redactString(String(value).slice(0, 256)) };
}

/**
 * The fields to log once per failed request (`error_code`, status, request id, ...), with
 * secrets masked in messages, causes and extensions. Cyclic cause chains are cut.
 *
 * @example
 * ```ts
 * logger.error(errorLogFields(error, { requestId }), 'request failed');
 * ```
 */
export function errorLogFields(error: unknown, options: ErrorLogOptions = {}): ErrorLogFields {
  const own = describe(error);
  const bulwark = isBulwarkError(error);
  const fields: ErrorLogFields = {
    error_code: bulwark ? error.code : 'internal_error',
    error_status: bulwark ? error.status : 500,
    error_retryable: bulwark ? error.retryable : false,
    error_name: own.name,
    error_message: own.message,
  };
  if (options.requestId !== undefined) fields.request_id = options.requestId;
  const causes: Array<{ name: string; code?: string; message: string }> = [];
  const seen = new Set<unknown>([error]);
  let cause = (error as { cause?: unknown } | null)?.cause;
  const maxCauses = options.maxCauses ?? 5;
  while (cause !== undefined && causes.length < maxCauses && !seen.has(cause)) {
    seen.add(cause);
    causes.push(describe(cause));
    cause = typeof cause === 'object' && cause !== null ? (cause as { cause?: unknown }).cause : undefined;
  }
  if (causes.length > 0) fields.error_causes = causes;
  if (bulwark && Object.keys(error.extensions).length > 0) {
    fields.error_extensions = redact(error.extensions, { keys: options.redactKeys });
  }
  return fields;
}
