import type { ClaimedDelivery, NewDelivery } from './store.js';

/** The worker's limits (validated options). */
export interface SlotLimits {
  readonly concurrency: number;
  readonly maxInflightPerEndpoint: number;
  readonly prefetch: number;
}

function add(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

/**
 * What one worker holds: attempts running (globally and per endpoint), deliveries leased and
 * queued here for a slot, and slots promised to publishes still being written. Decides what may
 * start now, how much to claim, and which endpoints to leave alone.
 */
export class WorkerSlots {
  readonly #limits: SlotLimits;
  readonly #active = new Map<string, number>();
  #running = 0;
  /** Leased here, waiting for a free slot (global, or of its endpoint); oldest first. */
  #queued: ClaimedDelivery[] = [];
  readonly #queuedByEndpoint = new Map<string, number>();
  /** Slots promised to publishes whose leased insert has not committed yet. */
  readonly #reservedByEndpoint = new Map<string, number>();
  #reserved = 0;

  constructor(limits: SlotLimits) {
    this.#limits = limits;
  }

  /** Queues a leased delivery until {@link WorkerSlots.takeStartable} can start it. */
  queue(delivery: ClaimedDelivery): void {
    this.#queued.push(delivery);
    add(this.#queuedByEndpoint, delivery.endpointId, 1);
  }

  /** Removes and returns the queued deliveries that may start now (oldest first), counted as running. */
  takeStartable(): ClaimedDelivery[] {
    const startable: ClaimedDelivery[] = [];
    if (this.#queued.length === 0) return startable;
    const waiting: ClaimedDelivery[] = [];
    for (const delivery of this.#queued) {
      const endpointFull = (this.#active.get(delivery.endpointId) ?? 0) >= this.#limits.maxInflightPerEndpoint;
      if (this.#running >= this.#limits.concurrency || endpointFull) {
        waiting.push(delivery);
        continue;
      }
      add(this.#queuedByEndpoint, delivery.endpointId, -1);
      add(this.#active, delivery.endpointId, 1);
      this.#running++;
      startable.push(delivery);
    }
    this.#queued = waiting;
    return startable;
  }

  /** Frees the slot of a finished attempt. */
  finished(endpointId: string): void {
    add(this.#active, endpointId, -1);
    this.#running--;
  }

  /** Empties the queue (on close), returning what was in it. */
  takeQueued(): ClaimedDelivery[] {
    const queued = this.#queued;
    this.#queued = [];
    this.#queuedByEndpoint.clear();
    return queued;
  }

  /** Reserves room for the deliveries it can take; returns their ids. */
  reserve(deliveries: readonly NewDelivery[]): Set<string> {
    const ids = new Set<string>();
    for (const { id, endpointId } of deliveries) {
      if (this.room() <= 0) break;
      if (this.isSaturated(endpointId)) continue;
      ids.add(id);
      this.#reserved++;
      add(this.#reservedByEndpoint, endpointId, 1);
    }
    return ids;
  }

  /** Returns one reservation of `endpointId`. */
  unreserve(endpointId: string): void {
    this.#reserved--;
    add(this.#reservedByEndpoint, endpointId, -1);
  }

  /**
   * How many deliveries to claim now: none while the queue still holds more than a quarter of
   * the prefetch (so claims come in batches of about three quarters of it; at half, a claim
   * brought back ~8 deliveries with the defaults, and claims were ~1 per 7 deliveries), otherwise
   * enough to fill every slot and the prefetch.
   */
  claimLimit(): number {
    const free = this.#limits.concurrency - this.#running - this.#reserved;
    const low = this.#queued.length + this.#reserved <= this.#limits.prefetch / 4;
    if (free <= 0 && !low) return 0;
    return Math.max(free, this.room());
  }

  /** Deliveries this worker may still lease: slots plus prefetch, minus what it holds or was promised. */
  room(): number {
    const { concurrency, prefetch } = this.#limits;
    return concurrency + prefetch - this.#running - this.#queued.length - this.#reserved;
  }

  /** Endpoints holding their full share here (running + queued + promised): not claimed for now. */
  saturated(): string[] {
    return [...this.#heldEndpoints()].filter((id) => this.isSaturated(id));
  }

  /**
   * What a claim may still take of each endpoint holding part of its share here: the share
   * minus what it holds (running + queued + promised). Endpoints not named may take a full share.
   */
  endpointCaps(): Map<string, number> {
    const caps = new Map<string, number>();
    const share = this.endpointShare();
    for (const id of this.#heldEndpoints()) {
      const left = share - this.#held(id);
      if (left > 0) caps.set(id, left);
    }
    return caps;
  }

  #heldEndpoints(): Set<string> {
    return new Set([...this.#active.keys(), ...this.#queuedByEndpoint.keys(), ...this.#reservedByEndpoint.keys()]);
  }

  #held(endpointId: string): number {
    return (
      (this.#active.get(endpointId) ?? 0) +
      (this.#queuedByEndpoint.get(endpointId) ?? 0) +
      (this.#reservedByEndpoint.get(endpointId) ?? 0)
    );
  }

  /** The most one endpoint may hold here: its in-flight cap plus as many queued (at most `prefetch`). */
  endpointShare(): number {
    const { maxInflightPerEndpoint, prefetch } = this.#limits;
    return maxInflightPerEndpoint + Math.min(prefetch, maxInflightPerEndpoint);
  }

  /** Whether `endpointId` holds its share: its in-flight cap, plus as many queued (at most `prefetch`). */
  isSaturated(endpointId: string): boolean {
    return this.#held(endpointId) >= this.endpointShare();
  }
}
