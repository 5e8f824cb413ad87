import type { TimerHandle } from '@bulwark/core';
import type { ClaimedDelivery } from './store.js';
import type { WorkerConfig } from './worker-config.js';

interface HeldLease {
  readonly id: string;
  readonly leaseToken: string;
  readonly endpointId: string;
  leaseUntil: number;
  lost: boolean;
  controller: AbortController | undefined;
}

/** Why an attempt was aborted when the store reported its lease lost. */
export class LeaseLost extends Error {
  constructor(id: string) {
    super(`lease of ${id} lost: the delivery was claimed by another worker`);
    this.name = 'LeaseLost';
  }
}

/**
 * Keeps the leases a worker holds (queued and in flight) alive: every `leaseMs / 3` it renews
 * them all in one store call, so a lease can be short (a crashed worker's deliveries are
 * retried within `leaseMs`) while an attempt runs as long as its endpoint's timeout. A lease the
 * store does not renew was lost (it expired and was re-claimed elsewhere): its attempt is
 * aborted, and its result is never committed (the completion is fenced by the lease token).
 * A renewal that fails (store unreachable) is reported as an `error` and retried on the next beat.
 */
export class LeaseKeeper {
  readonly #c: WorkerConfig;
  readonly #held = new Map<string, HeldLease>();
  readonly #intervalMs: number;
  #timer: TimerHandle | undefined;
  #beating: Promise<void> | undefined;
  #closed = false;

  constructor(config: WorkerConfig) {
    this.#c = config;
    this.#intervalMs = Math.max(1, Math.floor(config.leaseMs / 3));
  }

  /** Starts keeping a lease just taken (claimed, or taken at enqueue). */
  hold(delivery: ClaimedDelivery): void {
    // Claimed again by this worker after its lease here expired: the older attempt is fenced out.
    const previous = this.#held.get(delivery.id);
    if (previous) this.#lose(previous);
    this.#held.set(delivery.id, {
      id: delivery.id,
      leaseToken: delivery.leaseToken,
      endpointId: delivery.endpointId,
      leaseUntil: delivery.leaseUntil,
      lost: false,
      controller: undefined,
    });
    this.#arm();
  }

  /** The delivery with its current lease expiry, and the attempt's abort controller registered; `undefined` when lost. */
  start(delivery: ClaimedDelivery, controller: AbortController): ClaimedDelivery | undefined {
    const held = this.#held.get(delivery.id);
    if (!held || held.lost || held.leaseToken !== delivery.leaseToken) return undefined;
    held.controller = controller;
    return held.leaseUntil === delivery.leaseUntil ? delivery : { ...delivery, leaseUntil: held.leaseUntil };
  }

  /** Stops keeping a lease (its attempt finished or it was handed back). */
  release(delivery: ClaimedDelivery): void {
    if (this.#held.get(delivery.id)?.leaseToken === delivery.leaseToken) this.#held.delete(delivery.id);
    if (this.#held.size === 0 && this.#timer !== undefined) {
      this.#c.timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #arm(): void {
    if (this.#closed || this.#timer !== undefined || this.#beating || this.#held.size === 0) return;
    this.#timer = this.#c.timers.setTimeout(
      () => {
        this.#timer = undefined;
        this.#beating = this.#beat().finally(() => {
          this.#beating = undefined;
          this.#arm();
        });
      },
      this.#intervalMs,
      { unref: true },
    );
  }

  async #beat(): Promise<void> {
    const leases = [...this.#held.values()]; // never empty: the timer is cleared with the last lease
    const until = this.#c.clock.now() + this.#c.leaseMs;
    let renewed: ReadonlySet<string>;
    try {
      renewed = new Set(
        await this.#c.store.renew(
          leases.map(({ id, leaseToken }) => ({ id, leaseToken })),
          until,
        ),
      );
    } catch (error) {
      this.#c.events.emit('error', error);
      return;
    }
    for (const lease of leases) {
      if (this.#held.get(lease.id) !== lease) continue; // finished meanwhile
      if (renewed.has(lease.id)) {
        lease.leaseUntil = until;
        continue;
      }
      this.#lose(lease);
    }
  }

  #lose(lease: HeldLease): void {
    lease.lost = true;
    const mode = this.#c.transport.mode;
    this.#c.metrics.increment('webhook.lease_lost', {
      endpoint: lease.endpointId,
      mode,
      simulated: String(mode === 'simulated'),
    });
    lease.controller?.abort(new LeaseLost(lease.id));
  }

  /** Stops renewing (after the worker closed); waits for a renewal in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#c.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#beating;
  }
}
