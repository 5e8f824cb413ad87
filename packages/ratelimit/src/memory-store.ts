import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import { SLOTS_PER_POLICY, STEPS } from './algorithms/index.js';
import { type AlgorithmStep, EPSILON, outcome } from './algorithms/step.js';
import type { Decision, PolicyDecision, ResolvedPolicy, Store } from './types.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most keys kept per limiter; the oldest-inserted key is evicted beyond it. Default: `100_000`. */
  readonly maxKeys?: number | undefined;
  /** Time source. Default: the system clock. */
  readonly clock?: Clock | undefined;
}

/** A {@link Store} in this process's memory, with a size bound. */
export interface MemoryStore extends Store {
  readonly name: 'memory';
  /** Number of keys held for `policies` (expired keys not yet reclaimed included). */
  size(policies: readonly ResolvedPolicy[]): number;
  /** Synchronous `decide`. */
  decide(key: string, policies: readonly ResolvedPolicy[], cost: number): readonly PolicyDecision[];
  /** Forgets `key`. */
  reset(key: string, policies: readonly ResolvedPolicy[]): void;
}

/** Entries checked for expiry on each new key: reclaims memory without a timer per key. */
const SWEEP_PER_INSERT = 2;
const INITIAL_SLOTS = 64;

/** The state of one limiter's keys: a key → slot index, and one flat slab of numbers. */
interface Table {
  readonly index: Map<string, number>;
  slab: Float64Array;
  readonly free: number[];
  used: number;
  sweep: Iterator<[string, number]>;
  readonly stride: number;
  /** Each policy's step function, looked up once. */
  readonly steps: readonly AlgorithmStep[];
  /**
   * The policies, copied into an array that is not frozen: V8 reads an element of a frozen array
   * through a generic keyed-load call instead of an inline load.
   */
  readonly policies: readonly ResolvedPolicy[];
  readonly next: Float64Array;
  readonly zero: Float64Array;
  readonly ttlMs: number;
}

/**
 * Creates an in-memory store. Each limiter's keys live in one `Map<string, slot>` plus one
 * `Float64Array` slab holding `[expiresAt, 3 numbers per policy]` per key, so a key costs one
 * Map entry and 32 bytes per single-policy limiter (see the README for measured totals). A key
 * expires 2 × its longest window after its last allowed request; expired keys are reclaimed
 * lazily (on access, and a couple per new key), never with a timer per key.
 *
 * @param options - `maxKeys`, `clock`.
 * @throws {RangeError} when `maxKeys` is not a positive integer.
 * @example
 * ```ts
 * const limiter = createRateLimiter({ limit: 10, windowMs: 1_000, store: createMemoryStore({ maxKeys: 50_000 }) });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? 100_000;
  assertNumberOption('maxKeys', maxKeys, { min: 1, integer: true });
  return Object.freeze(new SlabStore(maxKeys, options.clock ?? systemClock));
}

/**
 * The memory store. A class rather than closures over the options: every store shares one
 * `decide`, so a call site that sees many stores (or many limiters) stays monomorphic and the
 * engine inlines the decision into it. Exported for the limiter's {@link SlabStore.fuse} only
 * (the package exports {@link createMemoryStore}).
 * @internal
 */
export class SlabStore implements MemoryStore {
  readonly name = 'memory' as const;
  readonly #maxKeys: number;
  readonly #clock: Clock;
  readonly #tables = new WeakMap<readonly ResolvedPolicy[], Table>();
  #lastPolicies: readonly ResolvedPolicy[] | undefined;
  #lastTable: Table | undefined;

  constructor(maxKeys: number, clock: Clock) {
    this.#maxKeys = maxKeys;
    this.#clock = clock;
  }

  decide(key: string, policies: readonly ResolvedPolicy[], cost: number): readonly PolicyDecision[] {
    const now = this.#clock.now();
    const t = this.#table(policies);
    const base = t.index.get(key);
    const live = base !== undefined && (t.slab[base] as number) > now;
    if (t.steps.length !== 1) return this.#decideEach(t, key, base, live, now, cost);
    const o = (t.steps[0] as AlgorithmStep)(
      live ? t.slab : t.zero,
      live ? (base as number) + 1 : 1,
      t.next,
      1,
      now,
      t.policies[0] as ResolvedPolicy,
      cost,
    );
    if (o.allowed && cost > 0) this.#commit(t, key, base, now);
    return [o];
  }

  /**
   * The one-function decision of a limiter whose store is the built-in memory store and whose only
   * policy is GCRA (the default), or `undefined` for every other limiter (the general path: the
   * store's `decide`, then the limiter's `Decision`). `test/fused-path.test.ts` checks that both
   * decide alike.
   */
  static fuse(store: Store, policies: readonly ResolvedPolicy[]): SoleGcra | undefined {
    if (!(#clock in store) || policies.length !== 1 || policies[0]?.algorithm !== 'gcra') return undefined;
    const t = store.#table(policies);
    return (key) => store.#gcra(t, key);
  }

  reset(key: string, policies: readonly ResolvedPolicy[]): void {
    const t = this.#table(policies);
    const base = t.index.get(key);
    if (base !== undefined) release(t, key, base);
  }

  size(policies: readonly ResolvedPolicy[]): number {
    return this.#table(policies).index.size;
  }

  #table(policies: readonly ResolvedPolicy[]): Table {
    return policies === this.#lastPolicies ? (this.#lastTable as Table) : this.#switchTable(policies);
  }

  #switchTable(policies: readonly ResolvedPolicy[]): Table {
    let found = this.#tables.get(policies);
    if (found === undefined) {
      found = createTable(policies, this.#maxKeys);
      this.#tables.set(policies, found);
    }
    this.#lastPolicies = policies;
    this.#lastTable = found;
    return found;
  }

  /**
   * {@link decide} of a one-GCRA-policy table for 1 unit, and the {@link Decision} the limiter
   * builds from its reply, in one function: the `gcra` step's expressions in the same order, the
   * same commit (the policy's other two numbers stay 0), the fields of `fromSoleOutcome`.
   */
  #gcra(t: Table, key: string): Decision {
    const now = this.#clock.now();
    const base = t.index.get(key);
    const policy = t.policies[0] as ResolvedPolicy;
    const { limit, windowMs } = policy;
    const interval = windowMs / limit;
    const tat = Math.max(base !== undefined && (t.slab[base] as number) > now ? (t.slab[base + 1] as number) : 0, now);
    const newTat = tat + interval;
    const wait = newTat - windowMs - now;
    // `limit` is an integer ≥ 1, so the step's `cost > limit` is false for 1 unit.
    const allowed = !(wait > EPSILON);
    // The step's two outcomes in one call (inlined once): an allowance holds `newTat` and waits 0.
    const held = allowed ? newTat : tat;
    const o = outcome(policy, allowed, (windowMs - (held - now)) / interval, held - now, wait);
    if (allowed) {
      const at = base ?? this.#insert(t, key, now);
      t.slab[at + 1] = newTat;
      t.slab[at] = now + t.ttlMs;
    }
    return {
      allowed,
      reason: allowed ? 'ok' : 'limited',
      degraded: false,
      limit,
      remaining: o.remaining,
      resetMs: o.resetMs,
      retryAfterMs: o.retryAfterMs,
      policy: policy.name,
      policies: [o],
    };
  }

  /** {@link decide} for several policies: every step runs, and the state is written only when all allow. */
  #decideEach(
    t: Table,
    key: string,
    base: number | undefined,
    live: boolean,
    now: number,
    cost: number,
  ): readonly PolicyDecision[] {
    const state = live ? t.slab : t.zero;
    const offset = live ? (base as number) : 0;
    const { next, steps, policies } = t;
    const outcomes: PolicyDecision[] = new Array(steps.length);
    let allowed = true;
    for (let i = 0; i < steps.length; i++) {
      const at = 1 + SLOTS_PER_POLICY * i;
      const o = (steps[i] as AlgorithmStep)(state, offset + at, next, at, now, policies[i] as ResolvedPolicy, cost);
      outcomes[i] = o;
      allowed &&= o.allowed;
    }
    if (!allowed) return unconsumed(outcomes, cost);
    if (cost > 0) this.#commit(t, key, base, now);
    return outcomes;
  }

  /** Writes the state the steps left in `t.next` to `key`'s slot, taking a slot for a new key. */
  #commit(t: Table, key: string, found: number | undefined, now: number): void {
    const base = found ?? this.#insert(t, key, now);
    const { slab, next } = t;
    for (let i = 1; i < next.length; i++) slab[base + i] = next[i] as number;
    slab[base] = now + t.ttlMs;
  }

  #insert(t: Table, key: string, now: number): number {
    for (let i = 0; i < SWEEP_PER_INSERT; i++) {
      let step = t.sweep.next();
      if (step.done) {
        t.sweep = t.index.entries();
        step = t.sweep.next();
        if (step.done) break;
      }
      if ((t.slab[step.value[1]] as number) <= now) release(t, step.value[0], step.value[1]);
    }
    if (t.index.size >= this.#maxKeys) {
      const [oldest, base] = t.index.entries().next().value as [string, number];
      release(t, oldest, base);
    }
    let base = t.free.pop();
    if (base === undefined) {
      base = t.used;
      t.used += t.stride;
      if (t.used > t.slab.length) {
        const grown = new Float64Array(Math.min(t.slab.length * 2, this.#maxKeys * t.stride));
        grown.set(t.slab);
        t.slab = grown;
      }
    }
    t.index.set(key, base);
    return base;
  }
}

/** The decision of 1 unit for a key of a one-GCRA-policy limiter; throws when the clock throws. @internal */
export type SoleGcra = (key: string) => Decision;

function release(t: Table, key: string, base: number): void {
  t.index.delete(key);
  t.free.push(base);
}

function createTable(policies: readonly ResolvedPolicy[], maxKeys: number): Table {
  const index = new Map<string, number>();
  const stride = 1 + SLOTS_PER_POLICY * policies.length;
  return {
    index,
    slab: new Float64Array(stride * Math.min(INITIAL_SLOTS, maxKeys)),
    free: [],
    used: 0,
    sweep: index.entries(),
    stride,
    steps: policies.map((p) => STEPS[p.algorithm]),
    policies: [...policies],
    next: new Float64Array(stride),
    zero: new Float64Array(stride),
    ttlMs: 2 * Math.max(...policies.map((p) => p.windowMs)),
  };
}

/** On a denial nothing is consumed: policies that would have allowed keep `cost` in `remaining`. */
function unconsumed(outcomes: PolicyDecision[], cost: number): PolicyDecision[] {
  return outcomes.map((o) => (o.allowed ? { ...o, remaining: o.remaining + cost } : o));
}
