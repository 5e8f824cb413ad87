import { parseRetryAfter } from '@bulwark/core';
import { CIRCUIT_RECHECK_MS } from '../attempt-runner.js';
import type { EndpointCircuit, EndpointLimiter } from '../policies.js';
import { retryDelay } from '../retry-schedule.js';
import {
  MAX_DELAY_SECONDS,
  type QueueAttemptEvent,
  type QueueConsumerOptions,
  resolveConsumerOptions,
} from './consumer-options.js';
import type { QueueDeadLetterBody } from './dead-letter.js';
import { parseQueueDeliveryMessage } from './message.js';
import { sendAttempt } from './send-attempt.js';
import { specialUseName } from './special-use-name.js';
import type { QueueBatchLike, QueueDeliveryMessage, QueueEndpoint, QueueMessageLike } from './types.js';

export type { QueueAttemptEvent, QueueConsumerOptions, QueueOutcome } from './consumer-options.js';

/** The consumer: export its `queue` as the Worker's `queue` handler. */
export interface QueueConsumer {
  queue(batch: QueueBatchLike, env?: unknown): Promise<void>;
}

interface Isolation {
  readonly key: string;
  readonly circuit: EndpointCircuit | undefined;
  readonly limiter: EndpointLimiter | undefined;
}

type Ids = Pick<QueueAttemptEvent, 'attempt' | 'messageId' | 'endpointId'>;

const seconds = (ms: number): number => Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(ms / 1000)));

/**
 * Creates the consumer of a delivery queue. For each message it reads the endpoint, checks the
 * URL against the egress rules that fit Workers (scheme; special-use and single-label host
 * names; literal addresses in private/loopback/metadata ranges), asks the endpoint's rate
 * limiter and circuit breaker (`policies`), signs with Standard Webhooks (`@bulwark/webhooks`)
 * and POSTs without following redirects. Responses are classified like the Node worker: 2xx
 * acks (and clears `failingSince`); 410 disables the endpoint and dead-letters; other failures
 * retry with `message.retry({ delaySeconds })` on the retry schedule (a 429/503 `Retry-After`
 * replaces the wait, capped), and an endpoint failing for `autoDisableAfterMs` without a
 * success is disabled. A breaker or limiter refusal defers the delivery without spending an
 * attempt (re-enqueued on `queue`). Once the schedule is exhausted, or when the endpoint is
 * gone, disabled or refused by the egress rules, or the body is malformed, the message is sent
 * to `deadLetterQueue` and acked.
 *
 * @throws {TypeError | RangeError} when an option is missing or invalid; the message names it.
 * @example
 * ```ts
 * const consumer = createQueueConsumer({
 *   endpoint: (id) => readEndpoint(env.DB, id),
 *   disable: (id) => disableEndpoint(env.DB, id),
 *   deadLetterQueue: env.DELIVERIES_DLQ,
 * });
 * await consumer.queue(batch, env);
 * ```
 */
export function createQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const o = resolveConsumerOptions(options);
  const isolations = new Map<string, Isolation>();

  function isolationFor(target: QueueEndpoint): Isolation {
    const key = `${target.url}|${JSON.stringify(target.rateLimit ?? null)}`;
    const cached = isolations.get(target.id);
    if (cached?.key === key) return cached;
    const isolation = { key, circuit: o.policies.circuit?.(target), limiter: o.policies.limiter?.(target) };
    isolations.set(target.id, isolation);
    return isolation;
  }

  function report(event: QueueAttemptEvent): void {
    try {
      o.onAttempt?.(event);
    } catch {
      // A reporting hook never changes an outcome.
    }
  }

  async function dead(message: QueueMessageLike, error: string, attempts = message.attempts): Promise<void> {
    const letter: QueueDeadLetterBody = { body: message.body, error, attempts };
    await o.deadLetterQueue.send(letter);
    message.ack();
  }

  /** Sees the delivery again after `waitMs` without counting this delivery of the message as an attempt. */
  async function defer(
    message: QueueMessageLike,
    body: QueueDeliveryMessage,
    ids: Ids,
    waitMs: number,
    error: 'circuit_open' | 'rate_limited',
  ): Promise<QueueAttemptEvent> {
    const delaySeconds = Math.max(1, seconds(waitMs));
    if (o.queue) {
      await o.queue.send({ ...body, prior: ids.attempt - 1 }, { delaySeconds });
      message.ack();
    } else {
      message.retry({ delaySeconds });
    }
    return { ...ids, attempt: ids.attempt - 1, outcome: 'deferred', error, delaySeconds };
  }

  /** Records a failure's start, or disables the endpoint once it has failed for `autoDisableAfterMs`. */
  async function failing(target: QueueEndpoint, started: number): Promise<boolean> {
    const since = target.failingSince ?? started;
    if (o.clock.now() - since >= o.autoDisableAfterMs) {
      await o.disable(target.id, 'failing');
      return true;
    }
    if (target.failingSince == null) await o.markFailing?.(target.id, since);
    return false;
  }

  async function handle(message: QueueMessageLike): Promise<QueueAttemptEvent> {
    const body = parseQueueDeliveryMessage(message.body);
    if (body === undefined) {
      await dead(message, 'delivery_malformed_message');
      const error = 'delivery_malformed_message';
      return { attempt: message.attempts, messageId: undefined, endpointId: undefined, outcome: 'dead', error };
    }
    const attempt = (body.prior ?? 0) + message.attempts;
    const ids: Ids = { attempt, messageId: body.messageId, endpointId: body.endpointId };
    const target = await o.endpoint(body.endpointId);
    if (!target?.enabled) {
      const error = target ? 'delivery_endpoint_disabled' : 'delivery_endpoint_not_found';
      await dead(message, error, attempt);
      return { ...ids, outcome: 'dead', error };
    }
    if (!allowedUrl(target.url)) {
      await dead(message, 'delivery_egress_refused', attempt);
      return { ...ids, outcome: 'dead', error: 'delivery_egress_refused' };
    }
    const { circuit, limiter } = isolationFor(target);
    const decision = await limiter?.limit(target.id);
    if (decision && !decision.allowed) return defer(message, body, ids, decision.retryAfterMs, 'rate_limited');
    const started = o.clock.now();
    const headers = await o.sign({
      id: body.messageId,
      timestamp: Math.floor(started / 1000),
      body: body.payload,
      secrets: target.secrets,
      now: started,
    });
    const result = await sendAttempt(o, circuit, {
      url: target.url,
      headers: { 'content-type': 'application/json', 'user-agent': 'bulwark-delivery', ...headers },
      body: body.payload,
    });
    if (result.kind === 'open') {
      // As in the Node worker: exact while OPEN, an upper bound while HALF_OPEN, so re-check often.
      return defer(message, body, ids, Math.min(Math.max(1, result.retryAfterMs), CIRCUIT_RECHECK_MS), 'circuit_open');
    }
    const { response, error } = result;
    if (error === null) {
      message.ack();
      // Bookkeeping after the ack: a registry failure here must not send the delivery again.
      if (target.failingSince != null) await o.markFailing?.(target.id, null).catch(() => {});
      return { ...ids, outcome: 'delivered', error };
    }
    if (response?.status === 410) {
      await o.disable(target.id, 'gone');
      await dead(message, error, attempt);
      return { ...ids, outcome: 'disabled', error };
    }
    // Before the message is settled: a registry failure here retries it as an internal error.
    const disabled = await failing(target, started);
    let wait = retryDelay(o.retrySchedule, attempt, o.retryJitter, o.random);
    if (wait === undefined) {
      await dead(message, error, attempt);
      return { ...ids, outcome: disabled ? 'disabled' : 'dead', error };
    }
    if (response?.status === 429 || response?.status === 503) {
      const hinted = parseRetryAfter(response.headers.get('retry-after'), o.clock.now());
      if (hinted !== undefined) wait = Math.min(hinted, o.maxRetryAfterMs);
    }
    message.retry({ delaySeconds: seconds(wait) });
    return { ...ids, outcome: 'retry', error, delaySeconds: seconds(wait) };
  }

  function allowedUrl(url: string): boolean {
    try {
      const parsed = new URL(url);
      o.guard.checkUrl(parsed);
      return o.guard.isAllowedHost(parsed.hostname) || specialUseName(parsed.hostname) === undefined;
    } catch {
      return false;
    }
  }

  /** The retry wait after an internal failure, capped by the schedule's last step when exhausted. */
  function delayAfter(attempts: number): number {
    const schedule = o.retrySchedule;
    return seconds(retryDelay(schedule, attempts, o.retryJitter, o.random) ?? schedule[schedule.length - 1] ?? 0);
  }

  return Object.freeze({
    async queue(batch: QueueBatchLike): Promise<void> {
      await Promise.all(
        batch.messages.map(async (message) => {
          try {
            report(await handle(message));
          } catch {
            // The registry, the signer, a queue or a callback failed: try again later; the
            // queue's own max_retries / dead_letter_queue still bounds this.
            const delaySeconds = delayAfter(message.attempts);
            message.retry({ delaySeconds });
            report({
              messageId: undefined,
              endpointId: undefined,
              attempt: message.attempts,
              outcome: 'retry',
              error: 'delivery_internal_error',
              delaySeconds,
            });
          }
        }),
      );
    },
  });
}
