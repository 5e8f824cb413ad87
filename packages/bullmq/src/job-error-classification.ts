import { errorRegistry, isBulwarkError } from '@bulwark/errors';
import { parseFailureCode } from './failure-reason.js';
import { retryHintMs } from './retry-hint.js';

/** What a job failure means, in the `err()` taxonomy of `@bulwark/errors`. */
export interface JobErrorClassification {
  /** A registered error code (`circuit_open`, `validation_failed`, …); `internal_error` for foreign errors. */
  readonly code: string;
  /** Whether another attempt may succeed; `false` fails the job at once (no retry). */
  readonly retryable: boolean;
  /** How long the error asks us to wait before the next attempt, when it says (see {@link retryHintMs}). */
  readonly retryAfterMs: number | undefined;
}

/** What a custom {@link ClassifyOptions.classify} returns for errors it recognises. */
export interface ErrorVerdict {
  /** A code defined with `defineErrors` (unregistered codes become `unknown_error`). */
  readonly code: string;
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
}

/** How foreign errors are classified. */
export interface ClassifyOptions {
  /**
   * Consulted first, for errors of your own libraries (a payment SDK's `card_declined`, an
   * HTTP client's 4xx); return `undefined` for the default rules. A classifier that throws is
   * treated as returning `undefined`.
   */
  readonly classify?: ((error: unknown) => ErrorVerdict | undefined) | undefined;
  /**
   * Whether errors that carry no code (a plain `Error`, a `TypeError`, a driver's socket error)
   * are retried, as BullMQ itself would. Default `true`.
   */
  readonly retryUnknownErrors?: boolean | undefined;
}

/** The code of errors without one. */
export const FOREIGN_ERROR_CODE = 'internal_error';

/** A code that cannot leak unbounded values into metrics or the dead-letter queue. */
function registeredCode(code: unknown): string {
  return typeof code === 'string' && errorRegistry().get(code) !== undefined ? code : 'unknown_error';
}

function verdictOf(error: unknown, options: ClassifyOptions): ErrorVerdict {
  if (options.classify !== undefined) {
    let custom: ErrorVerdict | undefined;
    try {
      custom = options.classify(error);
    } catch {
      custom = undefined;
    }
    if (custom !== undefined && custom !== null) {
      return { code: registeredCode(custom.code), retryable: custom.retryable === true };
    }
  }
  if (isBulwarkError(error)) return { code: registeredCode(error.code), retryable: error.retryable };
  if (typeof error === 'object' && error !== null) {
    const { name, message, retryable } = error as { name?: unknown; message?: unknown; retryable?: unknown };
    // BullMQ's own "do not retry" (thrown by your code or by an inner wrapped processor).
    if (name === 'UnrecoverableError') {
      return { code: registeredCode(parseFailureCode(message) ?? FOREIGN_ERROR_CODE), retryable: false };
    }
    if (retryable === false) return { code: FOREIGN_ERROR_CODE, retryable: false };
  }
  return { code: FOREIGN_ERROR_CODE, retryable: options.retryUnknownErrors ?? true };
}

/**
 * Classifies what a processor threw: your `classify` first, then a Bulwark error's own `code`
 * and `retryable` (`err('validation_failed')` is not retried, `circuit_open` is, after its
 * wait), BullMQ's `UnrecoverableError` (never retried), any error flagged `retryable: false`,
 * and everything else as `internal_error`, retried unless `retryUnknownErrors` is `false`.
 * Codes outside the process-wide registry become `unknown_error`, so a dynamic code cannot
 * inflate metric cardinality. Retryable failures carry the error's wait hint. Never throws.
 *
 * @param error - What the processor threw.
 * @param now - Epoch ms (from an injected clock), for HTTP-date `Retry-After` values.
 * @param options - Custom classifier and the default for foreign errors.
 * @example
 * ```ts
 * import { err } from '@bulwark/errors';
 *
 * classifyJobError(err('validation_failed'), Date.now()); // { code: 'validation_failed', retryable: false, retryAfterMs: undefined }
 * ```
 */
export function classifyJobError(error: unknown, now: number, options: ClassifyOptions = {}): JobErrorClassification {
  let verdict: ErrorVerdict;
  try {
    verdict = verdictOf(error, options);
  } catch {
    // A hostile thrown value (a proxy whose traps throw) is still a failure to classify.
    verdict = { code: FOREIGN_ERROR_CODE, retryable: options.retryUnknownErrors ?? true };
  }
  return Object.freeze({
    code: verdict.code,
    retryable: verdict.retryable,
    retryAfterMs: verdict.retryable ? retryHintMs(error, now) : undefined,
  });
}
