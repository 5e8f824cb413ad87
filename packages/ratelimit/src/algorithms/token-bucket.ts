import { type AlgorithmStep, EPSILON, outcome } from './step.js';

/**
 * Token bucket: `limit` tokens, refilled continuously at `limit / windowMs` per ms. The state
 * holds the tokens used (so an all-zero state is a full bucket) and the last refill time.
 * State: `[used, updatedAt, 0]`.
 * @internal
 */
export const tokenBucket: AlgorithmStep = (state, at, next, nat, now, policy, cost) => {
  const { limit, windowMs } = policy;
  const interval = windowMs / limit;
  const updatedAt = state[at + 1] as number;
  const elapsed = now > updatedAt ? now - updatedAt : 0;
  const used = Math.max(0, (state[at] as number) - elapsed / interval);
  next[nat] = state[at] as number;
  next[nat + 1] = updatedAt;
  if (cost > limit) return outcome(policy, false, limit - used, used * interval, windowMs);
  if (used + cost - limit > EPSILON) {
    return outcome(policy, false, limit - used, used * interval, (used + cost - limit) * interval);
  }
  next[nat] = used + cost;
  next[nat + 1] = Math.max(now, updatedAt);
  return outcome(policy, true, limit - used - cost, (used + cost) * interval, 0);
};
