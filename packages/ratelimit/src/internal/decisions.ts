import type { Decision, DecisionReason, PolicyDecision, PolicyOutcome, ResolvedPolicy } from '../types.js';

/** How long clients are told to wait after a store failure (the 503's `Retry-After`). @internal */
export const UNAVAILABLE_RETRY_AFTER_MS = 1_000;

/**
 * Combines per-policy outcomes into one decision. The binding policy is the denying one with the
 * longest wait, or, when all allow, the one with the fewest units left.
 * @internal
 */
export function fromOutcomes(
  policies: readonly ResolvedPolicy[],
  outcomes: readonly PolicyOutcome[],
  failure: DecisionReason | undefined,
): Decision {
  if (outcomes.length === 1) return fromSoleOutcome(policies[0] as ResolvedPolicy, outcomes, failure);
  let allowed = true;
  let binding = 0;
  const details: PolicyDecision[] = new Array(outcomes.length);
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i] as PolicyOutcome;
    details[i] = withPolicy(o, policies[i] as ResolvedPolicy);
    const b = outcomes[binding] as PolicyOutcome;
    if (!o.allowed) {
      if (allowed || o.retryAfterMs > b.retryAfterMs) binding = i;
      allowed = false;
    } else if (allowed && o.remaining < b.remaining) {
      binding = i;
    }
  }
  const b = details[binding] as PolicyDecision;
  return {
    allowed,
    reason: failure ?? (allowed ? 'ok' : 'limited'),
    degraded: failure !== undefined,
    limit: b.policy.limit,
    remaining: b.remaining,
    resetMs: b.resetMs,
    retryAfterMs: b.retryAfterMs,
    policy: b.policy.name,
    policies: details,
  };
}

/**
 * The decision of a one-policy limiter (the hot path, kept small so it inlines). A memory
 * store's reply already carries the policy and becomes `policies` as is.
 * @internal
 */
export function fromSoleOutcome(
  policy: ResolvedPolicy,
  outcomes: readonly PolicyOutcome[],
  failure?: DecisionReason,
): Decision {
  const o = outcomes[0] as PolicyOutcome;
  return {
    allowed: o.allowed,
    reason: failure ?? (o.allowed ? 'ok' : 'limited'),
    degraded: failure !== undefined,
    limit: policy.limit,
    remaining: o.remaining,
    resetMs: o.resetMs,
    retryAfterMs: o.retryAfterMs,
    policy: policy.name,
    policies:
      (o as PolicyDecision).policy === policy ? (outcomes as readonly PolicyDecision[]) : [withPolicy(o, policy)],
  };
}

/** The outcome as a {@link PolicyDecision}: stores built on the shared steps already attach the policy. */
function withPolicy(o: PolicyOutcome, policy: ResolvedPolicy): PolicyDecision {
  if ((o as PolicyDecision).policy === policy) return o as PolicyDecision;
  return { allowed: o.allowed, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs, policy };
}

/**
 * The decision when the store failed and no fallback answered: a denial (fail-closed) or, when
 * configured, an allowance (fail-open). Neither carries per-policy detail.
 * @internal
 */
export function withoutStore(policies: readonly ResolvedPolicy[], reason: DecisionReason, allow: boolean): Decision {
  const first = policies[0] as ResolvedPolicy;
  return {
    allowed: allow,
    reason,
    degraded: allow,
    limit: first.limit,
    remaining: allow ? first.limit : 0,
    resetMs: 0,
    retryAfterMs: allow ? 0 : UNAVAILABLE_RETRY_AFTER_MS,
    policy: first.name,
    policies: [],
  };
}
