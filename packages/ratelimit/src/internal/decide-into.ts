import type { PolicyOutcome, ResolvedPolicy } from '../types.js';

/**
 * Where a store delivers one decision's answer: straight to the limiter's pending call, without a
 * promise in between (a promise, its `then` and the closures around it per decision are what
 * {@link Store.decide} costs a batching store).
 * @internal
 */
export interface DecisionSink {
  reply(outcomes: readonly PolicyOutcome[]): void;
  fail(error: unknown): void;
}

/**
 * The key of a store's optional `decideInto(key, policies, cost, deadlineMs, sink)`, which the
 * limiter calls instead of `decide` when it is there (the Redis store). `Symbol.for`, so the
 * limiter and a store loaded from another bundle of this package (the `./redis` entry) agree.
 * @internal
 */
export const DECIDE_INTO: unique symbol = Symbol.for('bulwark.decideInto');

/** A store's `decideInto`. @internal */
export type DecideInto = (
  key: string,
  policies: readonly ResolvedPolicy[],
  cost: number,
  deadlineMs: number | undefined,
  sink: DecisionSink,
) => void;
