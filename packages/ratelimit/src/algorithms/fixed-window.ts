import { type AlgorithmStep, outcome } from './step.js';

/**
 * Fixed window: a counter per window of `windowMs`, windows aligned to the epoch. Allows up to
 * 2 × `limit` across a window boundary. State: `[windowStart, count, 0]`.
 * @internal
 */
export const fixedWindow: AlgorithmStep = (state, at, next, nat, now, policy, cost) => {
  const { limit, windowMs } = policy;
  const start = Math.floor(now / windowMs) * windowMs;
  const count = state[at] === start ? (state[at + 1] as number) : 0;
  const reset = start + windowMs - now;
  next[nat] = start;
  next[nat + 1] = count;
  if (cost > limit) return outcome(policy, false, limit - count, reset, windowMs);
  if (count + cost > limit) return outcome(policy, false, limit - count, reset, reset);
  next[nat + 1] = count + cost;
  return outcome(policy, true, limit - count - cost, reset, 0);
};
