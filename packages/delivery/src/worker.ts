import type { TimerHandle } from '@bulwark/core';
import { AttemptRunner } from './attempt-runner.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { ClaimedDelivery, EnqueueLease, NewDelivery } from './store.js';
import type { WorkerConfig } from './worker-config.js';
import { WorkerSlots } from './worker-slots.js';

interface Inflight {
  readonly controller: AbortController;
  readonly promise: Promise<void>;
}

/** The claim loop: leases due deliveries and runs up to `concurrency` attempts at a time. */
export class DeliveryWorker {
  readonly #c: WorkerConfig;
  readonly #inflight = new Map<string, Inflight>();
  readonly #slots: WorkerSlots;
  readonly #attempts: AttemptRunner;
  readonly #leases: LeaseKeeper;
  #running = false;
  #pumping: Promise<void> | undefined;
  #again = false;
  #poll: TimerHandle | undefined;
  #launched = 0;

  constructor(config: WorkerConfig) {
    this.#c = config;
    this.#slots = new WorkerSlots(config);
    this.#attempts = new AttemptRunner(config);
    this.#leases = new LeaseKeeper(config);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.wake();
  }

  /** Claims now instead of at the next poll (after a publish, a completion or a requeue). */
  wake(): void {
    if (this.#running) void this.#pump();
  }

  /**
   * After a publish: claims now unless every target endpoint already has all its slots taken
   * here. Those deliveries are claimed when a slot frees (a completion wakes the loop) or at the
   * next poll; claiming now would only scan their backlog to find nothing claimable.
   */
  published(endpointIds: readonly string[]): void {
    if (endpointIds.some((id) => !this.#slots.isSaturated(id))) this.wake();
  }

  /**
   * Offers a publish's deliveries to this worker before they are written: those it has room
   * for (by endpoint) are reserved and returned as a lease, so the store inserts them already
   * claimed and {@link DeliveryWorker.adopt} starts them without a claim round trip.
   */
  offer(deliveries: readonly NewDelivery[]): EnqueueLease | undefined {
    if (!this.#running) return undefined;
    const ids = this.#slots.reserve(deliveries);
    if (ids.size === 0) return undefined;
    const now = this.#c.clock.now();
    return { token: crypto.randomUUID(), until: now + this.#c.leaseMs, ids, now };
  }

  /**
   * Takes over the deliveries an offered lease inserted (`inserted` holds the ids the store
   * actually wrote; a duplicate publish writes nothing) and frees every reservation of the lease.
   */
  adopt(lease: EnqueueLease, deliveries: readonly NewDelivery[], inserted: readonly string[]): void {
    const written = new Set(inserted);
    const adopted: ClaimedDelivery[] = [];
    for (const delivery of deliveries) {
      if (!lease.ids.has(delivery.id)) continue;
      this.#slots.unreserve(delivery.endpointId);
      if (!written.has(delivery.id)) continue;
      // One literal, not a spread plus the lease fields (see internal/leased.ts).
      adopted.push({
        id: delivery.id,
        messageId: delivery.messageId,
        endpointId: delivery.endpointId,
        eventType: delivery.eventType,
        payload: delivery.payload,
        createdAt: delivery.createdAt,
        status: 'inflight',
        attempts: 0,
        lastError: null,
        updatedAt: lease.now,
        nextAt: lease.until,
        leaseToken: lease.token,
        leaseUntil: lease.until,
      });
    }
    // Never after close(): the dispatcher lets publishes already writing finish before closing us.
    for (const delivery of adopted) this.#hold(delivery);
    this.#drain();
  }

  /** Frees the reservations of an offered lease whose insert failed. */
  release(lease: EnqueueLease, deliveries: readonly NewDelivery[]): void {
    this.adopt(lease, deliveries, []);
  }

  #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    if (this.#poll !== undefined) this.#c.timers.clearTimeout(this.#poll);
    this.#poll = undefined;
    this.#pumping = this.#claimLoop().finally(() => {
      this.#pumping = undefined;
      if (this.#running) {
        // Not unref'd: a started dispatcher keeps its process alive until close(). A standalone
        // worker would otherwise exit as soon as it went idle, stranding expired leases.
        this.#poll = this.#c.timers.setTimeout(() => this.wake(), this.#c.pollIntervalMs);
      }
    });
    return this.#pumping;
  }

  async #claimLoop(): Promise<void> {
    try {
      do {
        this.#again = false;
        const limit = this.#slots.claimLimit();
        if (!this.#running || limit <= 0) break;
        const claimed = await this.#c.store.claim({
          now: this.#c.clock.now(),
          leaseMs: this.#c.leaseMs,
          limit,
          excludeEndpoints: this.#slots.saturated(),
          maxPerEndpoint: this.#slots.endpointShare(),
          // An endpoint already holding part of its share here takes only the rest of it.
          endpointCaps: this.#slots.endpointCaps(),
        });
        const over: ClaimedDelivery[] = [];
        for (const delivery of claimed) {
          // A publish offered to this worker while the claim was in flight may have taken the
          // room the claim was sized for: what would exceed the endpoint's share goes back.
          if (this.#slots.isSaturated(delivery.endpointId)) over.push(delivery);
          else this.#hold(delivery);
        }
        // Even when close() began during the claim: it waits for this claim, then its attempts.
        this.#drain(true);
        // Inside the pump, so close() and idle() wait for it (rare: a claim racing a publish).
        if (over.length > 0) await this.#handBack(over);
        if (claimed.length === limit) this.#again = true;
      } while (this.#again && this.#running);
    } catch (error) {
      this.#c.events.emit('error', error);
    }
  }

  /**
   * Returns leases this worker has no room for, due now, without counting an attempt (a failed
   * hand-back is reported; its lease expires within `leaseMs`, as a crashed worker's would).
   */
  async #handBack(deliveries: readonly ClaimedDelivery[]): Promise<void> {
    await Promise.all(
      deliveries.map((d) => this.#attempts.defer(d, 0).catch((error: unknown) => this.#c.events.emit('error', error))),
    );
  }

  #hold(delivery: ClaimedDelivery): void {
    this.#launched++;
    this.#leases.hold(delivery);
    this.#slots.queue(delivery);
  }

  /** Starts queued deliveries, oldest first, while global and per-endpoint slots allow. */
  #drain(evenIfClosing = false): void {
    if (!this.#running && !evenIfClosing) return;
    for (const delivery of this.#slots.takeStartable()) this.#run(delivery);
  }

  #run(delivery: ClaimedDelivery): void {
    const controller = new AbortController();
    // A lease reported lost while queued is not ours to act on any more: nothing is sent or committed.
    const held = this.#leases.start(delivery, controller);
    const promise = (held ? this.#attempts.run(held, controller.signal) : Promise.resolve())
      .catch((error: unknown) => this.#c.events.emit('error', error))
      .finally(() => {
        this.#leases.release(delivery);
        this.#inflight.delete(delivery.id);
        this.#slots.finished(delivery.endpointId);
        this.#drain();
        if (this.#slots.claimLimit() > 0) this.wake();
      });
    this.#inflight.set(delivery.id, { controller, promise });
  }

  /** Resolves once nothing is in flight and nothing is due (for tests, benchmarks and batch jobs). */
  async idle(): Promise<void> {
    for (;;) {
      while (this.#pumping || this.#inflight.size > 0) {
        await this.#pumping;
        await Promise.all([...this.#inflight.values()].map((i) => i.promise));
      }
      if (!this.#running) return;
      const launched = this.#launched;
      await this.#pump();
      if (this.#launched === launched && this.#inflight.size === 0) return;
    }
  }

  /**
   * Stops claiming, waits up to `deadlineMs` for attempts in flight, then aborts the rest:
   * their leases are handed back (due now) without counting an attempt.
   */
  async close(deadlineMs: number): Promise<void> {
    this.#running = false;
    // A claim already issued completes first; what it leased runs (or is handed back) below.
    await this.#pumping;
    await Promise.all(
      this.#slots.takeQueued().map((d) =>
        this.#attempts.defer(d, 0).finally(() => {
          this.#leases.release(d);
        }),
      ),
    );
    if (this.#poll !== undefined) this.#c.timers.clearTimeout(this.#poll);
    this.#poll = undefined;
    const all = (): Promise<unknown> => Promise.all([...this.#inflight.values()].map((i) => i.promise));
    let timer: TimerHandle | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      if (deadlineMs <= 0) resolve('deadline');
      else timer = this.#c.timers.setTimeout(() => resolve('deadline'), deadlineMs, { unref: true });
    });
    const outcome =
      this.#inflight.size === 0 ? 'done' : await Promise.race([all().then(() => 'done' as const), deadline]);
    if (timer !== undefined) this.#c.timers.clearTimeout(timer);
    if (outcome === 'deadline') {
      for (const { controller } of this.#inflight.values()) controller.abort(new Error('dispatcher closing'));
      await all();
    }
    await this.#pumping;
    await this.#leases.close();
  }
}
