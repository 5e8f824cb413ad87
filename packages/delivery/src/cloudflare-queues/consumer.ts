import { type Clock, parseRetryAfter, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { createStandardSigner, type Signer } from '../default-signer.js';
import { createEgressGuard, type EgressOptions } from '../egress-guard.js';
import { DEFAULT_RETRY_SCHEDULE, retryDelay } from '../retry-schedule.js';
import { parseQueueDeliveryMessage } from './message.js';
import type { QueueBatchLike, QueueEndpoint, QueueLike, QueueMessageLike } from './types.js';

/** What happened to one queued delivery. */
export type QueueOutcome = 'delivered' | 'retry' | 'dead' | 'disabled';

/** One attempt's report (no secret, no payload). */
export interface QueueAttemptEvent {
  readonly messageId: string | undefined;
  readonly endpointId: string | undefined;
  readonly attempt: number;
  readonly outcome: QueueOutcome;
  /** `http_<status>`, `delivery_network_error`, `delivery_timeout`, `delivery_egress_refused`, … ; `null` on success. */
  readonly error: string | null;
  /** Seconds until the retry, for `retry`. */
  readonly delaySeconds?: number | undefined;
}

/** Options of {@link createQueueConsumer}. */
export interface QueueConsumerOptions {
  /** Reads an endpoint (e.g. from D1); `undefined` when it no longer exists. */
  readonly endpoint: (id: string) => Promise<QueueEndpoint | undefined>;
  /** Disables an endpoint that answered 410 Gone. */
  readonly disable: (id: string, reason: 'gone') => Promise<void>;
  /** Producer binding of the dead-letter queue (the same queue as `dead_letter_queue` in wrangler.toml). */
  readonly deadLetterQueue: QueueLike;
  /** Waits before each retry, ms (rounded up to whole seconds). Default: {@link DEFAULT_RETRY_SCHEDULE}. */
  readonly retrySchedule?: readonly number[] | undefined;
  /** ± share of jitter on each wait. Default: `0.2`. */
  readonly retryJitter?: number | undefined;
  /** Longest `Retry-After` (429/503) honoured, ms. Default: 12 h (the Queues maximum delay). */
  readonly maxRetryAfterMs?: number | undefined;
  /** Per-request timeout, ms. Default: `10_000`. */
  readonly timeoutMs?: number | undefined;
  /** Scheme and literal-address rules (no DNS in Workers). */
  readonly egress?: EgressOptions | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly sign?: Signer | undefined;
  readonly clock?: Clock | undefined;
  readonly timers?: TimerProvider | undefined;
  readonly random?: (() => number) | undefined;
  /** Called after every message; exceptions from it are ignored. */
  readonly onAttempt?: ((event: QueueAttemptEvent) => void) | undefined;
}

/** The consumer: export its `queue` as the Worker's `queue` handler. */
export interface QueueConsumer {
  queue(batch: QueueBatchLike, env?: unknown): Promise<void>;
}

/** Queues accepts `delaySeconds` up to 12 hours. */
const MAX_DELAY_SECONDS = 43_200;

/**
 * Creates the consumer of a delivery queue. For each message it reads the endpoint, checks the
 * URL against the egress rules that fit Workers (scheme, allowlisted hosts, literal addresses
 * in private/loopback/metadata ranges), signs with Standard Webhooks (`@bulwark/webhooks`) and
 * POSTs without following redirects. Responses are classified like the Node worker: 2xx acks;
 * 410 disables the endpoint and dead-letters; other failures retry with
 * `message.retry({ delaySeconds })` on the retry schedule (a 429/503 `Retry-After` replaces the
 * wait, capped); once the schedule is exhausted, or when the endpoint is gone, disabled or
 * refused by the egress rules, or the body is malformed, the message is sent to
 * `deadLetterQueue` and acked.
 *
 * @throws {TypeError} when a required option is missing.
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
  const { endpoint, disable, deadLetterQueue } = options;
  if (typeof endpoint !== 'function') throw new TypeError('Expected `endpoint` to be a function');
  if (typeof disable !== 'function') throw new TypeError('Expected `disable` to be a function');
  if (typeof deadLetterQueue?.send !== 'function')
    throw new TypeError('Expected `deadLetterQueue` to be a Queue binding');
  const schedule = options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE;
  const jitter = options.retryJitter ?? 0.2;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? MAX_DELAY_SECONDS * 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const guard = createEgressGuard(options.egress);
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const sign = options.sign ?? createStandardSigner();
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;

  function report(event: QueueAttemptEvent): void {
    try {
      options.onAttempt?.(event);
    } catch {
      // A reporting hook never changes an outcome.
    }
  }

  async function dead(message: QueueMessageLike, error: string): Promise<void> {
    await deadLetterQueue.send({ body: message.body, error, attempts: message.attempts });
    message.ack();
  }

  /** The retry wait after `attempts` failed attempts, capped by the schedule's last step when exhausted. */
  function delayAfter(attempts: number): number {
    const wait = retryDelay(schedule, attempts, jitter, random) ?? schedule[schedule.length - 1] ?? 0;
    return Math.min(MAX_DELAY_SECONDS, Math.ceil(wait / 1000));
  }

  async function post(url: string, headers: Record<string, string>, body: string): Promise<Response> {
    const controller = new AbortController();
    const timer = timers.setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await send(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel();
      return response;
    } finally {
      timers.clearTimeout(timer);
    }
  }

  async function handle(message: QueueMessageLike): Promise<QueueAttemptEvent> {
    const body = parseQueueDeliveryMessage(message.body);
    const base = { attempt: message.attempts };
    if (body === undefined) {
      await dead(message, 'delivery_malformed_message');
      return {
        ...base,
        messageId: undefined,
        endpointId: undefined,
        outcome: 'dead',
        error: 'delivery_malformed_message',
      };
    }
    const ids = { ...base, messageId: body.messageId, endpointId: body.endpointId };
    const target = await endpoint(body.endpointId);
    if (!target?.enabled) {
      const error = target ? 'delivery_endpoint_disabled' : 'delivery_endpoint_not_found';
      await dead(message, error);
      return { ...ids, outcome: 'dead', error };
    }
    try {
      guard.checkUrl(new URL(target.url));
    } catch {
      await dead(message, 'delivery_egress_refused');
      return { ...ids, outcome: 'dead', error: 'delivery_egress_refused' };
    }
    const now = clock.now();
    const headers = await sign({
      id: body.messageId,
      timestamp: Math.floor(now / 1000),
      body: body.payload,
      secrets: target.secrets,
      now,
    });
    let response: Response | undefined;
    let error: string | null = null;
    try {
      response = await post(
        target.url,
        { 'content-type': 'application/json', 'user-agent': 'bulwark-delivery', ...headers },
        body.payload,
      );
      if (response.status < 200 || response.status >= 300) error = `http_${response.status}`;
    } catch (cause) {
      error = (cause as { name?: unknown })?.name === 'AbortError' ? 'delivery_timeout' : 'delivery_network_error';
    }
    if (error === null) {
      message.ack();
      return { ...ids, outcome: 'delivered', error };
    }
    if (response?.status === 410) {
      await disable(body.endpointId, 'gone');
      await dead(message, error);
      return { ...ids, outcome: 'disabled', error };
    }
    let wait = retryDelay(schedule, message.attempts, jitter, random);
    if (wait === undefined) {
      await dead(message, error);
      return { ...ids, outcome: 'dead', error };
    }
    if (response?.status === 429 || response?.status === 503) {
      const hinted = parseRetryAfter(response.headers.get('retry-after'), clock.now());
      if (hinted !== undefined) wait = Math.min(hinted, maxRetryAfterMs);
    }
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(wait / 1000));
    message.retry({ delaySeconds });
    return { ...ids, outcome: 'retry', error, delaySeconds };
  }

  return Object.freeze({
    async queue(batch: QueueBatchLike): Promise<void> {
      await Promise.all(
        batch.messages.map(async (message) => {
          try {
            report(await handle(message));
          } catch {
            // The registry, the signer or the dead-letter queue failed: try again later; the
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
