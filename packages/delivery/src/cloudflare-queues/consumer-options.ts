import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { defaultPolicies } from '../default-policies.js';
import { createStandardSigner, type Signer } from '../default-signer.js';
import { createEgressGuard, type EgressGuard, type EgressOptions } from '../egress-guard.js';
import type { EndpointPolicies } from '../policies.js';
import { DEFAULT_RETRY_SCHEDULE } from '../retry-schedule.js';
import type { QueueEndpoint, QueueLike } from './types.js';

/** What happened to one queued delivery. */
export type QueueOutcome = 'delivered' | 'retry' | 'deferred' | 'dead' | 'disabled';

/** One attempt's report (no secret, no payload). */
export interface QueueAttemptEvent {
  readonly messageId: string | undefined;
  readonly endpointId: string | undefined;
  /** Attempts of this delivery so far, this one included (`prior + message.attempts`); for `deferred`, the attempts made before it. */
  readonly attempt: number;
  readonly outcome: QueueOutcome;
  /**
   * `http_<status>`, `delivery_network_error`, `delivery_timeout`, `delivery_egress_refused`, … ;
   * for `deferred`: `circuit_open` or `rate_limited`; `null` on success.
   */
  readonly error: string | null;
  /** Seconds until the message is seen again, for `retry` and `deferred`. */
  readonly delaySeconds?: number | undefined;
}

/** Options of `createQueueConsumer`. */
export interface QueueConsumerOptions {
  /** Reads an endpoint (e.g. from D1); `undefined` when it no longer exists. */
  readonly endpoint: (id: string) => Promise<QueueEndpoint | undefined>;
  /** Disables an endpoint: `gone` after a 410, `failing` after `autoDisableAfterMs` without a success. */
  readonly disable: (id: string, reason: 'gone' | 'failing') => Promise<void>;
  /**
   * Stores an endpoint's `failingSince` (epoch ms of the first failure since the last success;
   * `null` after a success). Auto-disable needs it, and `endpoint()` returning the stored value.
   * Default: nothing is stored, so an endpoint is never disabled for failing (410 still disables).
   */
  readonly markFailing?: ((id: string, failingSince: number | null) => Promise<void>) | undefined;
  /** An endpoint failing without a success for this long is disabled, as in the Node worker. Default: 5 days. */
  readonly autoDisableAfterMs?: number | undefined;
  /** Producer binding of the dead-letter queue (the same queue as `dead_letter_queue` in wrangler.toml). */
  readonly deadLetterQueue: QueueLike;
  /**
   * Producer binding of the delivery queue itself. With it, a delivery refused by its endpoint's
   * breaker or rate limit is re-enqueued (`send(body, { delaySeconds })`, then acked) without
   * spending an attempt, as the Node worker defers it; without it, `message.retry()` is used and
   * the deferral counts against the schedule and `max_retries`.
   */
  readonly queue?: QueueLike | undefined;
  /**
   * Per-endpoint breaker and rate limiter. State lives in the isolate: create the consumer once per
   * isolate (module scope) so breakers see more than one batch; pass
   * `defaultPolicies({ rateLimitStore: createDurableObjectStore(…) })` for limits shared by all isolates.
   * Default: `defaultPolicies({ clock, timers })` (a breaker per endpoint, a memory limiter per endpoint with `rateLimit`).
   */
  readonly policies?: EndpointPolicies<QueueEndpoint> | undefined;
  /** Waits before each retry, ms (rounded up to whole seconds). Default: `DEFAULT_RETRY_SCHEDULE`. */
  readonly retrySchedule?: readonly number[] | undefined;
  /** ± share of jitter on each wait, in [0, 1]. Default: `0.2`. */
  readonly retryJitter?: number | undefined;
  /** Longest `Retry-After` (429/503) honoured, ms. Default: 6 h, as in the Node worker. */
  readonly maxRetryAfterMs?: number | undefined;
  /** Per-request timeout, ms. Default: `10_000`. */
  readonly timeoutMs?: number | undefined;
  /** Scheme and literal-address rules (no DNS in Workers); special-use and single-label names are refused unless allowlisted. */
  readonly egress?: EgressOptions | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly sign?: Signer | undefined;
  readonly clock?: Clock | undefined;
  readonly timers?: TimerProvider | undefined;
  readonly random?: (() => number) | undefined;
  /** Called after every message; exceptions from it are ignored. */
  readonly onAttempt?: ((event: QueueAttemptEvent) => void) | undefined;
}

/** The options with defaults applied, validated once. @internal */
export interface ResolvedConsumerOptions {
  readonly endpoint: QueueConsumerOptions['endpoint'];
  readonly disable: QueueConsumerOptions['disable'];
  readonly markFailing: QueueConsumerOptions['markFailing'];
  readonly autoDisableAfterMs: number;
  readonly deadLetterQueue: QueueLike;
  readonly queue: QueueLike | undefined;
  readonly policies: EndpointPolicies<QueueEndpoint>;
  readonly retrySchedule: readonly number[];
  readonly retryJitter: number;
  readonly maxRetryAfterMs: number;
  readonly timeoutMs: number;
  readonly guard: EgressGuard;
  readonly fetch: typeof fetch;
  readonly sign: Signer;
  readonly clock: Clock;
  readonly timers: TimerProvider;
  readonly random: () => number;
  readonly onAttempt: QueueConsumerOptions['onAttempt'];
}

/** Queues accepts `delaySeconds` up to 12 hours. */
export const MAX_DELAY_SECONDS = 43_200;

function assertFunction(name: string, value: unknown, required = false): void {
  if ((required || value !== undefined) && typeof value !== 'function') {
    throw new TypeError(`Expected \`${name}\` to be a function`);
  }
}

function assertQueue(name: string, value: QueueLike | undefined, required: boolean): void {
  if ((required || value !== undefined) && typeof value?.send !== 'function') {
    throw new TypeError(`Expected \`${name}\` to be a Queue binding`);
  }
}

/**
 * Applies defaults and validates every option once, naming the option.
 * @throws {TypeError | RangeError} for a missing binding or callback, or a bad number.
 * @internal
 */
export function resolveConsumerOptions(options: QueueConsumerOptions): ResolvedConsumerOptions {
  const { endpoint, disable, deadLetterQueue, queue } = options;
  assertFunction('endpoint', endpoint, true);
  assertFunction('disable', disable, true);
  assertQueue('deadLetterQueue', deadLetterQueue, true);
  assertQueue('queue', queue, false);
  for (const name of ['markFailing', 'fetch', 'sign', 'random', 'onAttempt'] as const) {
    assertFunction(name, options[name]);
  }
  const retrySchedule = options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE;
  if (!Array.isArray(retrySchedule)) throw new TypeError('Expected `retrySchedule` to be an array of numbers');
  retrySchedule.forEach((ms, i) => {
    assertNumberOption(`retrySchedule[${i}]`, ms, { min: 0 });
  });
  const retryJitter = options.retryJitter ?? 0.2;
  assertNumberOption('retryJitter', retryJitter, { min: 0, max: 1 });
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 6 * 3_600_000;
  assertNumberOption('maxRetryAfterMs', maxRetryAfterMs, { min: 0 });
  const timeoutMs = options.timeoutMs ?? 10_000;
  assertNumberOption('timeoutMs', timeoutMs, { min: 1, max: 2_147_483_647 });
  const autoDisableAfterMs = options.autoDisableAfterMs ?? 5 * 86_400_000;
  assertNumberOption('autoDisableAfterMs', autoDisableAfterMs, { min: 0 });
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  // Looked up at call time, so a replaced global (tests, polyfills) is used.
  const send: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  return Object.freeze({
    endpoint,
    disable,
    markFailing: options.markFailing,
    autoDisableAfterMs,
    deadLetterQueue,
    queue,
    policies: options.policies ?? defaultPolicies({ clock, timers }),
    retrySchedule: Object.freeze([...retrySchedule]),
    retryJitter,
    maxRetryAfterMs,
    timeoutMs,
    guard: createEgressGuard(options.egress),
    fetch: send,
    sign: options.sign ?? createStandardSigner(),
    clock,
    timers,
    random: options.random ?? Math.random,
    onAttempt: options.onAttempt,
  });
}
