import { type ProblemDetails, type ProblemOptions, toProblem } from './problem.js';

/** The media type of RFC 9457 problem bodies. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Options of {@link problemResponse} and {@link writeProblem}. */
export interface ProblemResponseOptions extends ProblemOptions {
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Readonly<Record<string, string>> | undefined;
}

function retryAfterHeader(problem: ProblemDetails): Record<string, string> {
  const ms = problem.retryAfterMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return {};
  return { 'retry-after': String(Math.ceil(ms / 1000)) };
}

function responseHeaders(
  problem: ProblemDetails,
  extra: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...retryAfterHeader(problem),
    ...extra,
  };
}

/**
 * Builds a Fetch API `Response` with an RFC 9457 body for any thrown value. A numeric
 * `retryAfterMs` extension also sets `Retry-After` (seconds, rounded up).
 *
 * @example
 * ```ts
 * app.onError((error, c) => problemResponse(error, { requestId: c.get('requestId') }));
 * ```
 */
export function problemResponse(error: unknown, options: ProblemResponseOptions = {}): Response {
  const problem = toProblem(error, options);
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: responseHeaders(problem, options.headers),
  });
}

/** The subset of Node's `http.ServerResponse` that {@link writeProblem} uses. */
export interface ProblemWritable {
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * Writes an RFC 9457 response for any thrown value to a Node `ServerResponse` (or anything
 * shaped like one). If headers were already sent, it only ends the response.
 *
 * @returns The problem that was written.
 * @example
 * ```ts
 * http.createServer(async (req, res) => {
 *   try { await handle(req, res); } catch (error) { writeProblem(res, error); }
 * });
 * ```
 */
export function writeProblem(
  res: ProblemWritable,
  error: unknown,
  options: ProblemResponseOptions = {},
): ProblemDetails {
  const problem = toProblem(error, options);
  if (res.headersSent) {
    res.end();
    return problem;
  }
  res.statusCode = problem.status;
  for (const [name, value] of Object.entries(responseHeaders(problem, options.headers))) res.setHeader(name, value);
  res.end(JSON.stringify(problem));
  return problem;
}
