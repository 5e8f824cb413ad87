import { isBrokenCircuitError } from '@bulwark/breaker';
import { parseRetryAfter } from '@bulwark/core';
import { isDeliveryError } from './errors/delivery-error.js';
import type { EndpointCircuit, EndpointLimiter } from './policies.js';
import { retryDelay } from './retry-schedule.js';
import type { ClaimedDelivery, Completion, EndpointRecord } from './store.js';
import type { TransportResponse } from './transport.js';
import type { WorkerConfig } from './worker-config.js';

interface Isolation {
  readonly key: string;
  readonly circuit: EndpointCircuit | undefined;
  readonly limiter: EndpointLimiter | undefined;
}

/** Longest a delivery refused by its endpoint's circuit waits before it is tried again. */
export const CIRCUIT_RECHECK_MS = 5_000;

/**
 * One attempt at one leased delivery: checks the endpoint, its rate limit and circuit, signs,
 * POSTs, records the outcome and schedules the retry, dead-letters or disables the endpoint.
 */
export class AttemptRunner {
  readonly #c: WorkerConfig;
  readonly #isolation = new Map<string, Isolation>();

  constructor(config: WorkerConfig) {
    this.#c = config;
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
    // One literal, not `{ ...completion, now }`: adding a key to a spread clone costs µs on Node 20.
    const { status, nextAt, attempt, lastError } = completion;
    return this.#c.store.complete(delivery.id, delivery.leaseToken, {
      status,
      nextAt,
      attempt,
      lastError,
      now: this.#c.clock.now(),
    });
  }

  /** Hands the lease back, due again in `waitMs`, without counting an attempt. */
  async defer(delivery: ClaimedDelivery, waitMs: number): Promise<void> {
    await this.#finish(delivery, {
      status: 'pending',
      nextAt: this.#c.clock.now() + waitMs,
      attempt: null,
      lastError: delivery.lastError,
    });
  }

  /** Runs the delivery's attempt, or hands it back, or dead-letters it; a shutdown abort counts nothing. */
  async run(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const c = this.#c;
    const endpoint = await c.endpoint(delivery.endpointId);
    if (!endpoint?.enabled) {
      const lastError = endpoint ? 'delivery_endpoint_disabled' : 'delivery_endpoint_not_found';
      await this.#finish(delivery, { status: 'dead', nextAt: c.clock.now(), attempt: null, lastError });
      this.#deadLetter(delivery, lastError);
      return;
    }
    // Less than half the lease left: renewals are failing (the store is unreachable), so the
    // lease may expire mid-request and the delivery be sent twice. Hand it back instead.
    if (delivery.leaseUntil - c.clock.now() < c.leaseMs / 2) return this.defer(delivery, 0);
    const { circuit, limiter } = this.#isolationFor(endpoint);
    const decision = await limiter?.limit(endpoint.id);
    if (decision && !decision.allowed) return this.defer(delivery, Math.max(1, decision.retryAfterMs));
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
        return this.defer(delivery, Math.min(Math.max(1, error.retryAfterMs), CIRCUIT_RECHECK_MS));
      }
      if (signal.aborted) return this.defer(delivery, 0); // shutdown deadline: lease handed back, no attempt
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
      simulated: mode === 'simulated',
    };
    const simulated = String(mode === 'simulated');
    const labels = { endpoint: endpoint.id, simulated };
    c.metrics.observe('webhook.attempt.latency_ms', latencyMs, {
      endpoint: endpoint.id,
      simulated,
      mode,
      outcome: errorCode ? 'failure' : 'success',
    });
    if (errorCode === null) {
      const committed = await this.#finish(delivery, { status: 'succeeded', nextAt: now, attempt, lastError: null });
      if (!committed) return this.#leaseLost(delivery);
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
    const committed = await this.#finish(delivery, {
      status: dead ? 'dead' : 'pending',
      nextAt: now + (wait ?? 0),
      attempt,
      lastError,
    });
    if (!committed) return this.#leaseLost(delivery);
    this.#emitAttempt(delivery, attempt, dead ? 'dead' : 'retry');
    if (dead) this.#deadLetter(delivery, lastError, delivery.attempts + 1);
    if (gone) return c.disableEndpoint(endpoint, 'gone');
    const failingSince = endpoint.failingSince ?? started;
    if (now - failingSince >= c.autoDisableAfterMs) return c.disableEndpoint(endpoint, 'failing');
    if (endpoint.failingSince === null) await c.markFailing(endpoint, failingSince);
  }

  /**
   * The store refused the completion: the lease expired and the delivery was claimed elsewhere
   * (renewals failed or came too late). The attempt is not recorded, counted or reported as an
   * outcome; the new holder's attempt is the one that counts.
   */
  #leaseLost(delivery: ClaimedDelivery): void {
    const mode = this.#c.transport.mode;
    this.#c.metrics.increment('webhook.lease_lost', {
      endpoint: delivery.endpointId,
      mode,
      simulated: String(mode === 'simulated'),
    });
  }

  #emitAttempt(
    delivery: ClaimedDelivery,
    attempt: { statusCode: number | null; errorCode: string | null; latencyMs: number; simulated: boolean },
    outcome: 'succeeded' | 'retry' | 'dead',
  ): void {
    this.#c.events.emit('attempt', {
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      endpointId: delivery.endpointId,
      statusCode: attempt.statusCode,
      errorCode: attempt.errorCode,
      latencyMs: attempt.latencyMs,
      simulated: attempt.simulated,
      outcome,
    });
  }

  #deadLetter(delivery: ClaimedDelivery, lastError: string | null, attempts = delivery.attempts): void {
    const mode = this.#c.transport.mode;
    this.#c.metrics.increment(`webhook.dead_letter.${mode}`, {
      endpoint: delivery.endpointId,
      simulated: String(mode === 'simulated'),
    });
    this.#c.events.emit('deadLetter', {
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      endpointId: delivery.endpointId,
      attempts,
      lastError,
      at: this.#c.clock.now(),
    });
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
