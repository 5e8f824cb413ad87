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
  const stored = state[at] as number;
  const tat = Math.max(stored, now);
  const newTat = tat + cost * interval;
  const wait = cost > limit ? windowMs : newTat - windowMs - now;
  if (cost > limit || wait > EPSILON) {
    next[nat] = stored;
    return outcome(policy, false, (windowMs - (tat - now)) / interval, tat - now, wait);
  }
  next[nat] = newTat;
  return outcome(policy, true, (windowMs - (newTat - now)) / interval, newTat - now, 0);
};
