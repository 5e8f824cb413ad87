import type { PolicyDecision, ResolvedPolicy } from '../types.js';

/**
 * One algorithm's decision for one policy. State is three numbers per policy at
 * `state[at..at+2]` (all zero for an unseen key); the step reads them, writes the state it
 * would commit into `next[nat..nat+2]` and returns the outcome. The caller commits `next` only
 * when every policy of the key allows, which makes multi-policy decisions atomic.
 * @internal
 */
export type AlgorithmStep = (
  state: Float64Array,
  at: number,
  next: Float64Array,
  nat: number,
  now: number,
  policy: ResolvedPolicy,
  cost: number,
) => PolicyDecision;

/** Tolerance for float drift in refill arithmetic (ms or units). @internal */
export const EPSILON = 1e-6;

/** Builds an outcome with integer, non-negative fields. @internal */
export function outcome(
  policy: ResolvedPolicy,
  allowed: boolean,
  remaining: number,
  resetMs: number,
  retryAfterMs: number,
): PolicyDecision {
  return {
    policy,
    allowed,
    remaining: remaining > 0 ? Math.floor(remaining + EPSILON) : 0,
    resetMs: resetMs > 0 ? Math.ceil(resetMs - EPSILON) : 0,
    retryAfterMs: allowed || retryAfterMs <= 0 ? 0 : Math.max(1, Math.ceil(retryAfterMs - EPSILON)),
  };
}
