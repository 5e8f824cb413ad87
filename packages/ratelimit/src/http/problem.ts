import { PROBLEM_CONTENT_TYPE, type ProblemDetails, toProblem } from '@bulwark/errors';
import { ratelimitErrors } from '../errors/codes.js';
import type { Decision } from '../types.js';

/** Problem `type` of 429 responses (draft-ietf-httpapi-ratelimit-headers, IANA HTTP problem types). */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';
/** Problem `type` of 503 responses when the limiter's store failed. */
export const TEMPORARY_REDUCED_CAPACITY_TYPE =
  'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity';

/** Status, headers and body of a denial, ready to send with any framework. */
export interface DenialResponse {
  readonly status: 429 | 503;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly problem: ProblemDetails;
}

/**
 * Builds the response for a denied decision: 429 `rate_limit_exceeded` (type quota-exceeded,
 * with `violated-policies`) when limited, 503 `rate_limiter_unavailable` (type
 * temporary-reduced-capacity) when the store failed. Both are `application/problem+json`
 * made by `@bulwark/errors`, with `retryAfterMs` as an extension member.
 *
 * @param decision - A denied decision.
 * @param headers - The rate-limit header fields to send along (see {@link rateLimitHeaders}).
 * @example
 * ```ts
 * const { status, headers, body } = denialResponse(decision, rateLimitHeaders(decision));
 * ```
 */
export function denialResponse(decision: Decision, headers: Record<string, string>): DenialResponse {
  const limited = decision.reason === 'limited';
  const error = limited
    ? ratelimitErrors.err('rate_limit_exceeded', {
        detail: `Policy "${decision.policy}" allows ${decision.limit}; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s.`,
        extensions: { retryAfterMs: decision.retryAfterMs, 'violated-policies': [decision.policy] },
      })
    : ratelimitErrors.err('rate_limiter_unavailable', {
        detail: 'The rate limiter is temporarily unavailable.',
        extensions: { retryAfterMs: decision.retryAfterMs, reason: decision.reason },
      });
  const problem = toProblem(error);
  problem.type = limited ? QUOTA_EXCEEDED_TYPE : TEMPORARY_REDUCED_CAPACITY_TYPE;
  return {
    status: limited ? 429 : 503,
    headers: { ...headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
    body: JSON.stringify(problem),
    problem,
  };
}
