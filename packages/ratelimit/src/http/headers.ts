import type { Decision, ResolvedPolicy } from '../types.js';

/** Options of {@link rateLimitHeaders}. */
export interface RateLimitHeaderOptions {
  /** Policies to list in `RateLimit-Policy` when the decision carries none (store failures). */
  readonly policies?: readonly ResolvedPolicy[] | undefined;
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * The response fields of draft-ietf-httpapi-ratelimit-headers-11 for a decision, with
 * lower-case names: `ratelimit-policy` lists every policy (`"name";q=<limit>;w=<window s>`),
 * `ratelimit` gives the binding policy's remaining units and seconds to reset
 * (`"name";r=<remaining>;t=<s>`), and denials add `retry-after` in delay-seconds, rounded up,
 * so it never points before the moment the request could succeed. Store failures have no
 * `ratelimit` field (the remaining quota is unknown).
 *
 * @example
 * ```ts
 * rateLimitHeaders(decision); // { 'ratelimit-policy': '"default";q=100;w=60', ratelimit: '"default";r=99;t=1' }
 * ```
 */
export function rateLimitHeaders(decision: Decision, options: RateLimitHeaderOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  const policies = decision.policies.length > 0 ? decision.policies.map((p) => p.policy) : (options.policies ?? []);
  if (policies.length > 0) {
    headers['ratelimit-policy'] = policies
      .map((p) => `"${p.name}";q=${p.limit};w=${Math.max(1, seconds(p.windowMs))}`)
      .join(', ');
  }
  if (decision.policies.length > 0) {
    headers.ratelimit = `"${decision.policy}";r=${decision.remaining};t=${seconds(decision.resetMs)}`;
  }
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, seconds(decision.retryAfterMs)));
  return headers;
}
