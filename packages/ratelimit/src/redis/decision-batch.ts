import type { DecisionSink } from '../internal/decide-into.js';
import type { ResolvedPolicy } from '../types.js';

/** The most decisions one script call carries; a larger burst is split into several calls. @internal */
export const MAX_BATCH = 256;

/** What a batch needs to know about its limiter's policies (computed once per policies array). @internal */
export interface BatchPolicies {
  readonly policies: readonly ResolvedPolicy[];
  /** Key suffixes, one per policy: a decision's keys are `head + suffix`. */
  readonly suffixes: readonly string[];
}

/**
 * The decisions of one limiter that a store was asked for in one tick, sent as one script call.
 * Each decision has a sink (the limiter's pending call, or a promise's settle functions); the
 * call's reply settles them all, in order. Arrays rather than an object per decision, so a
 * decision costs a few array slots.
 * @internal
 */
export class DecisionBatch {
  /** Redis keys, decision after decision (`n` per decision, in policy order). */
  readonly keys: string[] = [];
  /** One cost per decision, as the script's arguments. */
  readonly costs: string[] = [];
  /** Whether every decision so far has the same cost (then the script gets it once). */
  sameCost = true;
  readonly sinks: DecisionSink[] = [];

  /**
   * @param group - The limiter's policies.
   * @param deadline - The earliest deadline of the batch's callers in Redis time (ms; `0` = none).
   */
  constructor(
    readonly group: BatchPolicies,
    public deadline: number,
  ) {}

  get size(): number {
    return this.costs.length;
  }

  /** Adds a decision of the key whose hash-tagged head is `head`; `sink` is settled with the batch. */
  add(head: string, cost: number, sink: DecisionSink): void {
    const { suffixes } = this.group;
    for (let i = 0; i < suffixes.length; i++) this.keys.push(head + (suffixes[i] as string));
    const costs = this.costs;
    const arg = cost === 1 ? '1' : String(cost);
    if (costs.length > 0 && arg !== costs[0]) this.sameCost = false;
    costs.push(arg);
    this.sinks.push(sink);
  }

  /** Fails every decision of the batch with `error`. */
  fail(error: unknown): void {
    for (const sink of this.sinks) sink.fail(error);
  }
}

/**
 * Collects decisions into {@link DecisionBatch}es and sends them once the current tick's
 * synchronous code is done (a microtask, so no timer and no added turn of the event loop):
 * decisions started together, like `Promise.all` over many keys or many callers in one
 * callback, share one script call; a lone decision goes alone, as before. One open batch per
 * limiter, or per limiter and hash tag when one call must not mix hash slots (Redis Cluster).
 * @internal
 */
export class BatchQueue {
  /**
   * The tick's first open batch and its slot: the only one of a limiter on standalone Redis, so
   * the common tick needs no map.
   */
  #slot: unknown;
  #batch: DecisionBatch | undefined;
  /**
   * The open batches of the tick's other slots. A new map per tick, never `clear()`ed: V8 links
   * a cleared (or rehashed) map table to its replacement, so once one table was promoted to the
   * old generation, every later table, with the batches, calls and decisions it held, survived
   * each young-generation collection (a third to a half of the client's CPU went to GC).
   */
  #more: Map<unknown, DecisionBatch> | undefined;
  #full: DecisionBatch[] = [];
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  /**
   * @param send - Sends one batch (called once per batch, in the order batches were opened).
   * @param sameSlot - Whether a batch may only hold keys of one hash tag.
   */
  constructor(
    private readonly send: (batch: DecisionBatch) => void,
    private readonly sameSlot: boolean,
  ) {}

  /**
   * Queues a decision of `head`'s key under `group`, with a caller deadline already in Redis
   * time (`0` = none), to be settled into `sink`. A batch's deadline is its earliest caller's; a decision without one does
   * not join a batch that has one, nor the other way round.
   */
  add(group: BatchPolicies, head: string, cost: number, deadline: number, sink: DecisionSink): void {
    // Two limiters' decisions on one head in one tick take turns in the slot: correct, just less batched.
    const slot = this.sameSlot ? head : group;
    const first = this.#batch === undefined || slot === this.#slot;
    let batch = first ? this.#batch : this.#more?.get(slot);
    if (
      batch === undefined ||
      batch.group !== group ||
      batch.size >= MAX_BATCH ||
      (batch.deadline === 0) !== (deadline === 0)
    ) {
      if (batch !== undefined) this.#full.push(batch);
      batch = new DecisionBatch(group, deadline);
      if (first) {
        this.#slot = slot;
        this.#batch = batch;
      } else {
        this.#more ??= new Map();
        this.#more.set(slot, batch);
      }
    } else if (deadline !== 0 && deadline < batch.deadline) {
      batch.deadline = deadline;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
    batch.add(head, cost, sink);
  }

  /** Sends every queued batch now: the full ones first, then the open ones in the order their slots opened. */
  flush(): void {
    this.#scheduled = false;
    const full = this.#full;
    const first = this.#batch;
    const more = this.#more;
    if (full.length !== 0) this.#full = [];
    this.#slot = undefined;
    this.#batch = undefined;
    this.#more = undefined;
    for (const batch of full) this.send(batch);
    if (first !== undefined) this.send(first);
    if (more !== undefined) for (const batch of more.values()) this.send(batch);
  }
}
