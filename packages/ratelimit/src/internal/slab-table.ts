import { SLOTS_PER_POLICY, STEPS } from '../algorithms/index.js';
import type { AlgorithmStep } from '../algorithms/step.js';
import type { ResolvedPolicy } from '../types.js';

/** Entries checked for expiry on each new key: reclaims memory without a timer per key. */
const SWEEP_PER_INSERT = 2;
const INITIAL_SLOTS = 64;

/**
 * The memory store's state of one limiter's keys: a key → slot index, and one flat slab of
 * numbers, `[expiresAt, 3 numbers per policy]` per key.
 * @internal
 */
export interface Table {
  readonly index: Map<string, number>;
  slab: Float64Array;
  readonly free: number[];
  used: number;
  sweep: Iterator<[string, number]>;
  readonly stride: number;
  readonly maxKeys: number;
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

/** A table for `policies`, holding at most `maxKeys` keys. @internal */
export function createTable(policies: readonly ResolvedPolicy[], maxKeys: number): Table {
  const index = new Map<string, number>();
  const stride = 1 + SLOTS_PER_POLICY * policies.length;
  return {
    index,
    slab: new Float64Array(stride * Math.min(INITIAL_SLOTS, maxKeys)),
    free: [],
    used: 0,
    sweep: index.entries(),
    stride,
    maxKeys,
    steps: policies.map((p) => STEPS[p.algorithm]),
    policies: [...policies],
    next: new Float64Array(stride),
    zero: new Float64Array(stride),
    ttlMs: 2 * Math.max(...policies.map((p) => p.windowMs)),
  };
}

/**
 * Takes a slot for a new `key`: first reclaims up to two expired keys (the sweep), then evicts
 * the oldest-inserted key when the table is full, then reuses a freed slot or grows the slab.
 * @internal
 */
export function insert(t: Table, key: string, now: number): number {
  for (let i = 0; i < SWEEP_PER_INSERT; i++) {
    let step = t.sweep.next();
    if (step.done) {
      t.sweep = t.index.entries();
      step = t.sweep.next();
      if (step.done) break;
    }
    if ((t.slab[step.value[1]] as number) <= now) release(t, step.value[0], step.value[1]);
  }
  if (t.index.size >= t.maxKeys) {
    const [oldest, base] = t.index.entries().next().value as [string, number];
    release(t, oldest, base);
  }
  let base = t.free.pop();
  if (base === undefined) {
    base = t.used;
    t.used += t.stride;
    if (t.used > t.slab.length) {
      const grown = new Float64Array(Math.min(t.slab.length * 2, t.maxKeys * t.stride));
      grown.set(t.slab);
      t.slab = grown;
    }
  }
  t.index.set(key, base);
  return base;
}

/** Forgets `key`, freeing its slot. @internal */
export function release(t: Table, key: string, base: number): void {
  t.index.delete(key);
  t.free.push(base);
}
