import { type AlgorithmStep, EPSILON, outcome } from './step.js';

/**
 * GCRA (generic cell rate algorithm): one number per key, the theoretical arrival time (TAT).
 * Units are emitted every `windowMs / limit` ms and up to `limit` may arrive at once (the burst).
 * State: `[tat, 0, 0]`.
 * @internal
 */
export const gcra: AlgorithmStep = (state, at, next, nat, now, policy, cost) => {
  const { limit, windowMs } = policy;
  const interval = windowMs / limit;
  const tat = Math.max(state[at] as number, now);
  const newTat = tat + cost * interval;
  const allowAt = newTat - windowMs;
  next[nat] = state[at] as number;
  if (cost > limit) return outcome(policy, false, (windowMs - (tat - now)) / interval, tat - now, windowMs);
  if (allowAt - now > EPSILON) {
    return outcome(policy, false, (windowMs - (tat - now)) / interval, tat - now, allowAt - now);
  }
  next[nat] = newTat;
  return outcome(policy, true, (windowMs - (newTat - now)) / interval, newTat - now, 0);
};
