import { isBulwarkError } from './bulwark-error.js';
import { redact, redactString } from './redact.js';

/**
 * An RFC 9457 Problem Details object, with Bulwark's `code` and `retryable` extensions.
 */
export interface ProblemDetails {
  /** URI identifying the problem type: the configured base URI followed by the code. */
  type: string;
  /** Short summary of the problem type. */
  title: string;
  /** HTTP status code. */
  status: number;
  /** Stable machine-readable code. */
  code: string;
  /** Whether the client may retry. */
  retryable: boolean;
  /** Explanation of this occurrence, when there is one. */
  detail?: string;
  /** URI reference for this occurrence. */
  instance?: string;
  /** Correlation id of the request, when given. */
  requestId?: string;
  /** Extension members. */
  [extension: string]: unknown;
}

/** Options of {@link toProblem}. */
export interface ProblemOptions {
  /** Prefix of the `type` URI (default `"https://bulwark.dev/problems/"`); the code is appended. */
  typeBaseUri?: string | undefined;
  /** Request correlation id, added as `requestId`. */
  requestId?: string | undefined;
  /** Longest `detail` kept (default 1024 characters). */
  maxDetailLength?: number | undefined;
  /** Extra key names whose values are redacted in extensions. */
  redactKeys?: readonly string[] | undefined;
}

/** The default prefix of problem `type` URIs. */
export const DEFAULT_PROBLEM_TYPE_BASE = 'https://bulwark.dev/problems/';

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'retryable', 'requestId']);

/**
 * Converts any thrown value into an RFC 9457 Problem Details object.
 *
 * A {@link BulwarkError} keeps its code, status, title, detail, instance and extensions
 * (extensions cannot override standard members; secrets in them and in `detail` are redacted).
 * Anything else becomes a generic `internal_error` 500 that reveals no message, stack or cause.
 *
 * @param error - Any thrown value.
 * @param options - Type URI base, request id, detail cap.
 * @example
 * ```ts
 * toProblem(err('not_found', { detail: 'No endpoint ep_1' }), { requestId: 'req_9' });
 * // { type: 'https://bulwark.dev/problems/not_found', title: 'Not Found', status: 404, code: 'not_found', ... }
 * ```
 */
export function toProblem(error: unknown, options: ProblemOptions = {}): ProblemDetails {
  const base = options.typeBaseUri ?? DEFAULT_PROBLEM_TYPE_BASE;
  const maxDetail = options.maxDetailLength ?? 1024;
  if (!isBulwarkError(error)) {
    return withRequestId(
      {
        type: `${base}internal_error`,
        title: 'Internal Server Error',
        status: 500,
        code: 'internal_error',
        retryable: false,
      },
      options.requestId,
    );
  }
  const status = Number.isInteger(error.status) && error.status >= 400 && error.status <= 599 ? error.status : 500;
  const problem: ProblemDetails = {
    type: `${base}${error.code}`,
    title: error.title,
    status,
    code: error.code,
    retryable: error.retryable,
  };
  if (typeof error.detail === 'string' && error.detail !== '') {
    const cut = error.detail.length > maxDetail ? `${error.detail.slice(0, maxDetail)}…` : error.detail;
    problem.detail = redactString(cut);
  }
  if (typeof error.instance === 'string' && error.instance !== '') problem.instance = error.instance;
  const extensions = redact(error.extensions, { keys: options.redactKeys }) as Record<string, unknown>;
  for (const [key, value] of Object.entries(extensions)) {
    if (!RESERVED.has(key)) problem[key] = value;
  }
  return withRequestId(problem, options.requestId);
}

function withRequestId(problem: ProblemDetails, requestId: string | undefined): ProblemDetails {
  if (requestId !== undefined && requestId !== '') problem.requestId = requestId;
  return problem;
}
