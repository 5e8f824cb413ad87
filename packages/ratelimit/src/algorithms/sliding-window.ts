import { type AlgorithmStep, EPSILON, outcome } from './step.js';

/**
 * Sliding window, two-window weighted: the count of the previous fixed window is weighted by
 * the share of it still inside the sliding window, plus the current window's count. It assumes
 * requests were spread evenly over the previous window; when they were not, the true count in
 * the trailing `windowMs` can differ from the estimate (at worst it admits up to 2 × `limit` in
 * a trailing window if the previous window's requests all came at its very end).
 * State: `[windowStart, current, previous]`.
 * @internal
 */
export const slidingWindow: AlgorithmStep = (state, at, next, nat, now, policy, cost) => {
  const { limit, windowMs } = policy;
  const start = Math.floor(now / windowMs) * windowMs;
  let current = 0;
  let previous = 0;
  if (state[at] === start) {
    current = state[at + 1] as number;
    previous = state[at + 2] as number;
  } else if (state[at] === start - windowMs) {
    previous = state[at + 1] as number;
  }
  const elapsed = now - start;
  const weighted = previous * (1 - elapsed / windowMs);
  const reset = start + windowMs - now;
  next[nat] = start;
  next[nat + 1] = current;
  next[nat + 2] = previous;
  if (cost > limit) return outcome(policy, false, limit - weighted - current, reset, windowMs);
  if (weighted + current + cost - limit > EPSILON) {
    return outcome(
      policy,
      false,
      limit - weighted - current,
      reset,
      retryAfter(previous, current, elapsed, limit, windowMs, cost),
    );
  }
  next[nat + 1] = current + cost;
  return outcome(policy, true, limit - weighted - current - cost, reset, 0);
};

function retryAfter(
  previous: number,
  current: number,
  elapsed: number,
  limit: number,
  windowMs: number,
  cost: number,
): number {
  if (current + cost <= limit) {
    // Wait until the previous window's weight has decayed enough, within this window.
    return windowMs * (1 - (limit - current - cost) / previous) - elapsed;
  }
  // Wait for the next window, then for this window's count (its new "previous") to decay.
  return windowMs - elapsed + Math.max(0, windowMs * (1 - (limit - cost) / current));
}
