import type { Clock } from '@bulwark/core';
import { EPSILON, outcome } from '../algorithms/step.js';
import type { Decision, PolicyDecision, ResolvedPolicy } from '../types.js';
import { insert, type Table } from './slab-table.js';

/**
 * The whole decision of a limiter with one GCRA policy on the built-in memory store, in one
 * function: clock read, slot lookup, GCRA arithmetic, commit, and the {@link Decision}. It is
 * what the general path (`MemoryStore.decide` → the `gcra` step → `fromSoleOutcome`) computes,
 * with the same expressions in the same order, without the layers between them (see the README's
 * performance section). `test/fused-path.test.ts` checks it against the general path.
 * @internal
 */
export class SoleGcra {
  readonly #table: Table;
  readonly #clock: Clock;
  readonly #policy: ResolvedPolicy;

  constructor(table: Table, clock: Clock) {
    this.#table = table;
    this.#clock = clock;
    this.#policy = table.policies[0] as ResolvedPolicy;
  }

  /** Decides `cost` units for `key` (already validated and short enough); throws when the clock throws. */
  decide(key: string, cost: number): Decision {
    const t = this.#table;
    const policy = this.#policy;
    const now = this.#clock.now();
    const base = t.index.get(key);
    const stored = base !== undefined && (t.slab[base] as number) > now ? (t.slab[base + 1] as number) : 0;
    const { limit, windowMs } = policy;
    const interval = windowMs / limit;
    const tat = Math.max(stored, now);
    const newTat = tat + cost * interval;
    const wait = cost > limit ? windowMs : newTat - windowMs - now;
    let o: PolicyDecision;
    if (cost > limit || wait > EPSILON) {
      o = outcome(policy, false, (windowMs - (tat - now)) / interval, tat - now, wait);
    } else {
      o = outcome(policy, true, (windowMs - (newTat - now)) / interval, newTat - now, 0);
      if (cost > 0) {
        // The slab's other two numbers of a GCRA policy stay 0, as the general path writes them.
        const at = base ?? insert(t, key, now);
        const slab = t.slab;
        slab[at + 1] = newTat;
        slab[at] = now + t.ttlMs;
      }
    }
    return {
      allowed: o.allowed,
      reason: o.allowed ? 'ok' : 'limited',
      degraded: false,
      limit,
      remaining: o.remaining,
      resetMs: o.resetMs,
      retryAfterMs: o.retryAfterMs,
      policy: policy.name,
      policies: [o],
    };
  }
}
