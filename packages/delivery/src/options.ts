import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import type { Signer } from './default-signer.js';
import type { EgressOptions, HostResolver } from './egress-guard.js';
import type { DeliveryMetrics } from './metrics.js';
import type { EndpointPolicies } from './policies.js';
import { DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js';
import type { DeliveryStore } from './store.js';
import type { Transport } from './transport.js';

/** Options of `createDispatcher`. */
export interface DispatcherOptions {
  /** Where endpoints, the outbox, attempts and the DLQ live (`@bulwark/delivery/sqlite`, `/redis`). */
  readonly store: DeliveryStore;
  /**
   * Deliver over the network (`true`) or simulate (`false`: nothing leaves the process, metrics
   * end in `.simulated`). Ignored when `transport` is given.
   * @defaultValue `WEBHOOK_REAL` from the environment (`1`/`true` on, `0`/`false`/unset off)
   */
  readonly real?: boolean | undefined;
  /** Replaces the undici (or simulated) transport. */
  readonly transport?: Transport | undefined;
  /** SSRF policy of the real transport. @defaultValue `{ allow: [], allowHttp: false }` */
  readonly egress?: EgressOptions | undefined;
  /** Host resolver of the real transport. @defaultValue `dns.promises.lookup(host, { all: true })` */
  readonly resolve?: HostResolver | undefined;
  /** Response bytes kept per attempt. @defaultValue 4096 */
  readonly maxResponseBytes?: number | undefined;
  /** Signs each attempt. @defaultValue Standard Webhooks signing from `@bulwark/webhooks` */
  readonly sign?: Signer | undefined;
  /** Per-endpoint circuit breaker and rate limiter factories. @defaultValue `defaultPolicies()` */
  readonly policies?: EndpointPolicies | undefined;
  readonly metrics?: DeliveryMetrics | undefined;
  readonly clock?: Clock | undefined;
  readonly timers?: TimerProvider | undefined;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  readonly random?: (() => number) | undefined;
  /** Attempts in flight per worker. @defaultValue 16 */
  readonly concurrency?: number | undefined;
  /** Attempts in flight per endpoint, so one slow receiver cannot take every slot. @defaultValue max(1, concurrency / 2) */
  readonly maxInflightPerEndpoint?: number | undefined;
  /**
   * Deliveries leased ahead of free slots and queued in this worker, so the store is asked for
   * work in batches instead of once per completion. 0 claims only for free slots. An endpoint
   * never holds more than `maxInflightPerEndpoint` queued on top of its attempts in flight.
   * @defaultValue concurrency
   */
  readonly prefetch?: number | undefined;
  /**
   * How long a claim is leased. A running worker renews its leases every `leaseMs / 3`, so an
   * attempt may outlast it; a crashed worker's deliveries are claimed again after at most this
   * long. Workers of one store must have clocks in sync to well within `leaseMs / 3`.
   * @defaultValue 15000
   */
  readonly leaseMs?: number | undefined;
  /** How often an idle worker looks for due deliveries. @defaultValue 1000 */
  readonly pollIntervalMs?: number | undefined;
  /** Waits before retries 1..n; the delivery is dead-lettered after the last. @defaultValue DEFAULT_RETRY_SCHEDULE */
  readonly retrySchedule?: readonly number[] | undefined;
  /** Relative jitter applied to each wait, in [0, 1]. @defaultValue 0.2 */
  readonly retryJitter?: number | undefined;
  /** Cap on a receiver's `Retry-After`. @defaultValue 21600000 (6 h) */
  readonly maxRetryAfterMs?: number | undefined;
  /** An endpoint failing without a success for this long is disabled. @defaultValue 432000000 (5 days) */
  readonly autoDisableAfterMs?: number | undefined;
  /** How long the old secret keeps signing after `rotateSecret`. @defaultValue 86400000 (24 h) */
  readonly rotationOverlapMs?: number | undefined;
  /** How long endpoint definitions are cached by a worker (changes made elsewhere show up after it). @defaultValue 1000 */
  readonly endpointCacheMs?: number | undefined;
  /**
   * How long succeeded deliveries (and their attempts) are kept after they last changed; a
   * started dispatcher deletes older ones. `Infinity` keeps them forever. Dead deliveries (the
   * DLQ) are never pruned. @defaultValue 604800000 (7 days)
   */
  readonly retainSucceededMs?: number | undefined;
  /** How often a started dispatcher prunes succeeded deliveries. @defaultValue 60000 */
  readonly pruneIntervalMs?: number | undefined;
}

/** The resolved options. */
export interface ResolvedOptions {
  readonly clock: Clock;
  readonly timers: TimerProvider;
  readonly random: () => number;
  readonly concurrency: number;
  readonly maxInflightPerEndpoint: number;
  readonly prefetch: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly retrySchedule: readonly number[];
  readonly retryJitter: number;
  readonly maxRetryAfterMs: number;
  readonly autoDisableAfterMs: number;
  readonly rotationOverlapMs: number;
  readonly endpointCacheMs: number;
  readonly retainSucceededMs: number;
  readonly pruneIntervalMs: number;
  readonly real: boolean;
}

/**
 * Parses `WEBHOOK_REAL` strictly: `1`/`true` → on; unset, empty, `0`/`false` → off.
 *
 * @throws {TypeError} for any other value, naming the variable.
 * @example
 * ```ts
 * parseWebhookReal(process.env.WEBHOOK_REAL); // false when unset
 * ```
 */
export function parseWebhookReal(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '' || v === '0' || v === 'false') return false;
  throw new TypeError(`Expected \`WEBHOOK_REAL\` to be 1, true, 0 or false, got ${value}`);
}

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** Largest delay a Node.js timer honours (a longer one fires at once). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Validates a retention age: a number >= 0, or `Infinity` (keep forever).
 *
 * @throws {TypeError | RangeError} naming `name` when `value` is anything else.
 * @example
 * ```ts
 * assertRetention('retainSucceededMs', Number.POSITIVE_INFINITY); // ok
 * ```
 */
export function assertRetention(name: string, value: unknown): asserts value is number {
  if (value !== Number.POSITIVE_INFINITY) assertNumberOption(name, value, { min: 0 });
}

/** Applies defaults and validates every numeric option once. */
export function resolveOptions(options: DispatcherOptions): ResolvedOptions {
  const concurrency = options.concurrency ?? 16;
  assertNumberOption('concurrency', concurrency, { min: 1, max: 1024, integer: true });
  const maxInflightPerEndpoint = options.maxInflightPerEndpoint ?? Math.max(1, Math.floor(concurrency / 2));
  assertNumberOption('maxInflightPerEndpoint', maxInflightPerEndpoint, { min: 1, integer: true });
  const prefetch = options.prefetch ?? concurrency;
  assertNumberOption('prefetch', prefetch, { min: 0, max: 4096, integer: true });
  const leaseMs = options.leaseMs ?? 15_000;
  assertNumberOption('leaseMs', leaseMs, { min: 3, max: MAX_TIMER_MS, integer: true });
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  assertNumberOption('pollIntervalMs', pollIntervalMs, { min: 1 });
  const retrySchedule = options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE;
  retrySchedule.forEach((ms, i) => {
    assertNumberOption(`retrySchedule[${i}]`, ms, { min: 0 });
  });
  const retryJitter = options.retryJitter ?? 0.2;
  assertNumberOption('retryJitter', retryJitter, { min: 0, max: 1 });
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 6 * 3_600_000;
  assertNumberOption('maxRetryAfterMs', maxRetryAfterMs, { min: 0 });
  const autoDisableAfterMs = options.autoDisableAfterMs ?? 5 * 86_400_000;
  assertNumberOption('autoDisableAfterMs', autoDisableAfterMs, { min: 0 });
  const rotationOverlapMs = options.rotationOverlapMs ?? 86_400_000;
  assertNumberOption('rotationOverlapMs', rotationOverlapMs, { min: 0 });
  const endpointCacheMs = options.endpointCacheMs ?? 1_000;
  assertNumberOption('endpointCacheMs', endpointCacheMs, { min: 0 });
  const retainSucceededMs = options.retainSucceededMs ?? 7 * 86_400_000;
  assertRetention('retainSucceededMs', retainSucceededMs);
  const pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
  assertNumberOption('pruneIntervalMs', pruneIntervalMs, { min: 1, max: MAX_TIMER_MS });
  return Object.freeze({
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
    random: options.random ?? Math.random,
    concurrency,
    maxInflightPerEndpoint,
    prefetch,
    leaseMs,
    pollIntervalMs,
    retrySchedule: Object.freeze([...retrySchedule]),
    retryJitter,
    maxRetryAfterMs,
    autoDisableAfterMs,
    rotationOverlapMs,
    endpointCacheMs,
    retainSucceededMs,
    pruneIntervalMs,
    real: options.real ?? parseWebhookReal(env('WEBHOOK_REAL')),
  });
}
