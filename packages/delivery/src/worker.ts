import { isBrokenCircuitError } from '@bulwark/breaker';
import type { TimerHandle } from '@bulwark/core';
import type { Signer } from './default-signer.js';
import { isDeliveryError } from './errors/delivery-error.js';
import type { DispatcherEvents, Emitter } from './events.js';
import type { DeliveryMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { EndpointCircuit, EndpointLimiter, EndpointPolicies } from './policies.js';
import { parseRetryAfter, retryDelay } from './retry-schedule.js';
import type { ClaimedDelivery, Completion, DeliveryStore, EndpointRecord, EnqueueLease, NewDelivery } from './store.js';
import type { Transport, TransportResponse } from './transport.js';

/** Everything the worker needs; assembled and validated by `createDispatcher`. */
export interface WorkerConfig
  extends Pick<
    ResolvedOptions,
    | 'clock'
    | 'timers'
    | 'random'
    | 'concurrency'
    | 'maxInflightPerEndpoint'
    | 'prefetch'
    | 'leaseMs'
    | 'pollIntervalMs'
    | 'retrySchedule'
    | 'retryJitter'
    | 'maxRetryAfterMs'
    | 'autoDisableAfterMs'
  > {
  readonly store: DeliveryStore;
  readonly transport: Transport;
  readonly sign: Signer;
  readonly metrics: DeliveryMetrics;
  readonly events: Emitter<DispatcherEvents>;
  readonly policies: EndpointPolicies;
  readonly endpoint: (id: string) => Promise<EndpointRecord | undefined>;
  readonly disableEndpoint: (endpoint: EndpointRecord, reason: 'gone' | 'failing') => Promise<void>;
  readonly markFailing: (endpoint: EndpointRecord, failingSince: number | null) => Promise<void>;
}

interface Inflight {
  readonly controller: AbortController;
  readonly promise: Promise<void>;
}

interface Isolation {
  readonly key: string;
  readonly circuit: EndpointCircuit | undefined;
  readonly limiter: EndpointLimiter | undefined;
}

/** Longest a delivery refused by its endpoint's circuit waits before it is tried again. */
export const CIRCUIT_RECHECK_MS = 5_000;

/** The claim loop: leases due deliveries and runs up to `concurrency` attempts at a time. */
export class DeliveryWorker {
  readonly #c: WorkerConfig;
  readonly #inflight = new Map<string, Inflight>();
  readonly #active = new Map<string, number>();
  /** Leased here, waiting for a free slot (global, or of its endpoint); oldest first. */
  #ready: ClaimedDelivery[] = [];
  readonly #readyByEndpoint = new Map<string, number>();
  /** Slots promised to publishes whose leased insert has not committed yet. */
  readonly #reservedByEndpoint = new Map<string, number>();
  #reserved = 0;
  readonly #isolation = new Map<string, Isolation>();
  #running = false;
  #pumping: Promise<void> | undefined;
  #again = false;
  #poll: TimerHandle | undefined;
  #launched = 0;

  constructor(config: WorkerConfig) {
    this.#c = config;
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
    if (endpointIds.some((id) => !this.#isSaturated(id))) this.wake();
  }

  /**
   * Offers a publish's deliveries to this worker before they are written: those it has room
   * for (by endpoint) are reserved and returned as a lease, so the store inserts them already
   * claimed and {@link DeliveryWorker.adopt} starts them without a claim round trip.
   */
  offer(deliveries: readonly NewDelivery[]): EnqueueLease | undefined {
    if (!this.#running) return undefined;
    const ids = new Set<string>();
    for (const { id, endpointId } of deliveries) {
      if (this.#claimRoom() <= 0) break;
      if (this.#isSaturated(endpointId)) continue;
      ids.add(id);
      this.#reserved++;
      this.#count(this.#reservedByEndpoint, endpointId, 1);
    }
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
      this.#reserved--;
      this.#count(this.#reservedByEndpoint, delivery.endpointId, -1);
      if (!written.has(delivery.id)) continue;
      adopted.push({
        ...delivery,
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
        const limit = this.#claimLimit();
        if (!this.#running || limit <= 0) break;
        const claimed = await this.#c.store.claim({
          now: this.#c.clock.now(),
          leaseMs: this.#c.leaseMs,
          limit,
          excludeEndpoints: this.#saturated(),
        });
        for (const delivery of claimed) this.#hold(delivery);
        // Even when close() began during the claim: it waits for this claim, then its attempts.
        this.#drain(true);
        if (claimed.length === limit) this.#again = true;
      } while (this.#again && this.#running);
    } catch (error) {
      this.#c.events.emit('error', error);
    }
  }

  /**
   * How many deliveries to claim now: none while the local queue still holds enough to refill
   * the slots (so claims come in batches), otherwise enough to fill every slot and the prefetch.
   */
  #claimLimit(): number {
    const { concurrency, prefetch } = this.#c;
    const free = concurrency - this.#inflight.size - this.#reserved;
    const low = this.#ready.length + this.#reserved <= prefetch / 2;
    if (free <= 0 && !low) return 0;
    return Math.max(free, this.#claimRoom());
  }

  /** Deliveries this worker may still lease: slots plus prefetch, minus what it holds or was promised. */
  #claimRoom(): number {
    return this.#c.concurrency + this.#c.prefetch - this.#inflight.size - this.#ready.length - this.#reserved;
  }

  /** Endpoints holding their full share here (in flight + queued): not claimed for now. */
  #saturated(): string[] {
    const full: string[] = [];
    const held = new Set([...this.#active.keys(), ...this.#readyByEndpoint.keys(), ...this.#reservedByEndpoint.keys()]);
    for (const id of held) if (this.#isSaturated(id)) full.push(id);
    return full;
  }

  #isSaturated(endpointId: string): boolean {
    const held =
      (this.#active.get(endpointId) ?? 0) +
      (this.#readyByEndpoint.get(endpointId) ?? 0) +
      (this.#reservedByEndpoint.get(endpointId) ?? 0);
    return held >= this.#c.maxInflightPerEndpoint + Math.min(this.#c.prefetch, this.#c.maxInflightPerEndpoint);
  }

  #hold(delivery: ClaimedDelivery): void {
    this.#launched++;
    this.#ready.push(delivery);
    this.#count(this.#readyByEndpoint, delivery.endpointId, 1);
  }

  /** Starts queued deliveries, oldest first, while global and per-endpoint slots allow. */
  #drain(evenIfClosing = false): void {
    if (this.#ready.length === 0) return;
    const waiting: ClaimedDelivery[] = [];
    const stopped = !this.#running && !evenIfClosing;
    for (const delivery of this.#ready) {
      const endpointFull = (this.#active.get(delivery.endpointId) ?? 0) >= this.#c.maxInflightPerEndpoint;
      if (stopped || this.#inflight.size >= this.#c.concurrency || endpointFull) waiting.push(delivery);
      else {
        this.#count(this.#readyByEndpoint, delivery.endpointId, -1);
        this.#run(delivery);
      }
    }
    this.#ready = waiting;
  }

  #count(counts: Map<string, number>, key: string, delta: number): void {
    const next = (counts.get(key) ?? 0) + delta;
    if (next > 0) counts.set(key, next);
    else counts.delete(key);
  }

  #run(delivery: ClaimedDelivery): void {
    const endpointId = delivery.endpointId;
    this.#count(this.#active, endpointId, 1);
    const controller = new AbortController();
    const promise = this.#process(delivery, controller.signal)
      .catch((error: unknown) => this.#c.events.emit('error', error))
      .finally(() => {
        this.#inflight.delete(delivery.id);
        this.#count(this.#active, endpointId, -1);
        this.#drain();
        if (this.#claimLimit() > 0) this.wake();
      });
    this.#inflight.set(delivery.id, { controller, promise });
  }

  #isolationFor(endpoint: EndpointRecord): Isolation {
    const key = `${endpoint.url}|${JSON.stringify(endpoint.rateLimit)}`;
    const cached = this.#isolation.get(endpoint.id);
    if (cached?.key === key) return cached;
    const isolation = {
      key,
      circuit: this.#c.policies.circuit?.(endpoint),
      limiter: this.#c.policies.limiter?.(endpoint),
    };
    this.#isolation.set(endpoint.id, isolation);
    return isolation;
  }

  async #finish(delivery: ClaimedDelivery, completion: Omit<Completion, 'now'>): Promise<boolean> {
    return this.#c.store.complete(delivery.id, delivery.leaseToken, { ...completion, now: this.#c.clock.now() });
  }

  async #defer(delivery: ClaimedDelivery, waitMs: number): Promise<void> {
    await this.#finish(delivery, {
      status: 'pending',
      nextAt: this.#c.clock.now() + waitMs,
      attempt: null,
      lastError: delivery.lastError,
    });
  }

  async #process(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const c = this.#c;
    const endpoint = await c.endpoint(delivery.endpointId);
    if (!endpoint?.enabled) {
      const lastError = endpoint ? 'delivery_endpoint_disabled' : 'delivery_endpoint_not_found';
      await this.#finish(delivery, { status: 'dead', nextAt: c.clock.now(), attempt: null, lastError });
      this.#deadLetter(delivery, lastError);
      return;
    }
    // Waited so long behind this endpoint's other deliveries that the lease could expire mid-request: hand it back.
    if (delivery.leaseUntil - c.clock.now() < Math.min(endpoint.timeoutMs, c.leaseMs / 2))
      return this.#defer(delivery, 0);
    const { circuit, limiter } = this.#isolationFor(endpoint);
    const decision = await limiter?.limit(endpoint.id);
    if (decision && !decision.allowed) return this.#defer(delivery, Math.max(1, decision.retryAfterMs));
    await this.#attempt(delivery, endpoint, circuit, signal);
  }

  async #attempt(
    delivery: ClaimedDelivery,
    endpoint: EndpointRecord,
    circuit: EndpointCircuit | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const c = this.#c;
    const mode = c.transport.mode;
    const started = c.clock.now();
    const headers = await c.sign({
      id: delivery.messageId,
      timestamp: Math.floor(started / 1000),
      body: delivery.payload,
      secrets: endpoint.secrets,
      now: started,
    });
    const send = async (policySignal?: AbortSignal): Promise<TransportResponse> => {
      const response = await c.transport.send({
        url: endpoint.url,
        headers: { 'content-type': 'application/json', 'user-agent': 'bulwark-delivery', ...headers },
        body: delivery.payload,
        timeoutMs: endpoint.timeoutMs,
        signal: policySignal ?? signal,
      });
      // Non-2xx counts as a breaker failure; unwrapped below.
      if (response.status < 200 || response.status >= 300) throw new FailedResponse(response);
      return response;
    };
    let response: TransportResponse | undefined;
    let errorCode: string | null = null;
    let retryable = true;
    try {
      response = circuit ? await circuit.execute((s) => send(s), { signal }) : await send();
    } catch (error) {
      if (isBrokenCircuitError(error)) {
        // While OPEN, retryAfterMs is exact; while HALF_OPEN it is only an upper bound (the wait
        // until a stuck trial is abandoned), so re-check at least every CIRCUIT_RECHECK_MS: once
        // the trial succeeds, deferred deliveries flow again within seconds, not a minute.
        return this.#defer(delivery, Math.min(Math.max(1, error.retryAfterMs), CIRCUIT_RECHECK_MS));
      }
      if (signal.aborted) return this.#defer(delivery, 0); // shutdown deadline: lease handed back, no attempt
      if (error instanceof FailedResponse) {
        response = error.response;
        errorCode = 'delivery_http_error';
      } else {
        errorCode = isDeliveryError(error) ? error.code : 'delivery_network_error';
        retryable = isDeliveryError(error) ? error.retryable : true;
      }
    }
    const status = response?.status ?? null;
    const now = c.clock.now();
    const latencyMs = now - started;
    const attempt = {
      deliveryId: delivery.id,
      n: 0,
      at: started,
      statusCode: status,
      latencyMs,
      response: response?.body ?? null,
      errorCode,
    };
    const labels = { endpoint: endpoint.id };
    c.metrics.observe('webhook.attempt.latency_ms', latencyMs, {
      ...labels,
      mode,
      outcome: errorCode ? 'failure' : 'success',
    });
    if (errorCode === null) {
      await this.#finish(delivery, { status: 'succeeded', nextAt: now, attempt, lastError: null });
      c.metrics.increment(`webhook.sent.${mode}`, labels);
      if (delivery.attempts > 0) c.metrics.increment(`webhook.retry_success.${mode}`, labels);
      if (endpoint.failingSince !== null) await c.markFailing(endpoint, null);
      this.#emitAttempt(delivery, attempt, 'succeeded');
      return;
    }
    c.metrics.increment(`webhook.error.${mode}`, labels);
    const lastError = status === null ? errorCode : `http_${status}`;
    const gone = status === 410;
    let wait =
      retryable && !gone ? retryDelay(c.retrySchedule, delivery.attempts + 1, c.retryJitter, c.random) : undefined;
    if (wait !== undefined && (status === 429 || status === 503)) {
      const hinted = parseRetryAfter(response?.retryAfter ?? null, now);
      if (hinted !== undefined) wait = Math.min(hinted, c.maxRetryAfterMs);
    }
    const dead = wait === undefined;
    await this.#finish(delivery, { status: dead ? 'dead' : 'pending', nextAt: now + (wait ?? 0), attempt, lastError });
    this.#emitAttempt(delivery, attempt, dead ? 'dead' : 'retry');
    if (dead) this.#deadLetter(delivery, lastError, delivery.attempts + 1);
    if (gone) return c.disableEndpoint(endpoint, 'gone');
    const failingSince = endpoint.failingSince ?? started;
    if (now - failingSince >= c.autoDisableAfterMs) return c.disableEndpoint(endpoint, 'failing');
    if (endpoint.failingSince === null) await c.markFailing(endpoint, failingSince);
  }

  #emitAttempt(
    delivery: ClaimedDelivery,
    attempt: { statusCode: number | null; errorCode: string | null; latencyMs: number },
    outcome: 'succeeded' | 'retry' | 'dead',
  ): void {
    this.#c.events.emit('attempt', {
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      endpointId: delivery.endpointId,
      statusCode: attempt.statusCode,
      errorCode: attempt.errorCode,
      latencyMs: attempt.latencyMs,
      outcome,
    });
  }

  #deadLetter(delivery: ClaimedDelivery, lastError: string | null, attempts = delivery.attempts): void {
    this.#c.metrics.increment(`webhook.dead_letter.${this.#c.transport.mode}`, { endpoint: delivery.endpointId });
    this.#c.events.emit('deadLetter', {
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      endpointId: delivery.endpointId,
      attempts,
      lastError,
      at: this.#c.clock.now(),
    });
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
    const queued = this.#ready;
    this.#ready = [];
    this.#readyByEndpoint.clear();
    await Promise.all(queued.map((d) => this.#defer(d, 0)));
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
  }
}

/** Carries a non-2xx response through the circuit breaker as a failure. */
class FailedResponse extends Error {
  readonly response: TransportResponse;
  constructor(response: TransportResponse) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
}
