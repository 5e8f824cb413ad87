import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { fromOutcomes, withoutStore } from './internal/decisions.js';
import { awaitStore, nextTurn, type StoreWait } from './internal/store-call.js';
import { DEFAULT_MAX_KEY_LENGTH, normalizeKey } from './key.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import { type PolicyOptions, resolvePolicies } from './policy.js';
import type { Decision, DecisionReason, PolicyOutcome, ResolvedPolicy, Store } from './types.js';

/** What the limiter does when its store fails or misses the deadline. */
export type FailMode = 'closed' | 'open' | 'local';

/** Receives the limiter's warnings (store failing, recovered, fail-open configured). */
export interface RateLimitLogger {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Passed to `onDecision` after every decision. */
export interface DecisionEvent {
  /** The key as the store saw it (hashed when it was too long). */
  readonly key: string;
  readonly decision: Decision;
  /** The store error or timeout, when the store failed. */
  readonly cause?: unknown;
}

/** Options of {@link createRateLimiter}: one policy inline, or several in `policies`. */
export interface RateLimiterOptions extends PolicyOptions {
  /** Several policies decided together, e.g. 10/s and 1000/h. Replaces the inline policy. */
  readonly policies?: readonly PolicyOptions[] | undefined;
  /** Where state lives. Default: a new {@link createMemoryStore} using `clock`. */
  readonly store?: Store | undefined;
  /** Longest wait for the store before failing, in ms. Default: `100`. */
  readonly deadlineMs?: number | undefined;
  /** `closed` denies on store failure (default), `open` allows (logged), `local` decides with a stricter in-process limit. */
  readonly failMode?: FailMode | undefined;
  /** `local` mode: share of each policy's limit allowed per instance while the store fails. Default: `0.5`. */
  readonly localLimitFactor?: number | undefined;
  /** Keys longer than this are hashed (SHA-256). Default: `256`. */
  readonly maxKeyLength?: number | undefined;
  /** Time source for the default memory store. Default: the system clock. */
  readonly clock?: Clock | undefined;
  /** Timers for the deadline. Default: the global timers, looked up lazily. */
  readonly timers?: TimerProvider | undefined;
  /** Store-health warnings. Default: `console`. */
  readonly logger?: RateLimitLogger | undefined;
  /** Called after every decision; exceptions from it are ignored. */
  readonly onDecision?: ((event: DecisionEvent) => void) | undefined;
}

/** Per-call options of {@link RateLimiter.limit}. */
export interface LimitOptions {
  /** Units this request consumes (integer ≥ 0; 0 only reads). Default: `1`. */
  readonly cost?: number | undefined;
  /** Rejects the call with `signal.reason` when aborted before the decision. */
  readonly signal?: AbortSignal | undefined;
}

/** A rate limiter created by {@link createRateLimiter}. */
export interface RateLimiter {
  /** The validated policies, in order. */
  readonly policies: readonly ResolvedPolicy[];
  /** Whether the last store call succeeded. */
  readonly healthy: boolean;
  /**
   * Decides whether `key` may spend `cost` units now, under every policy atomically. Resolves
   * within `deadlineMs` to a {@link Decision}; store failures are decisions, not rejections.
   *
   * @throws {rate_limit_invalid_key} (rejection) for an empty or non-string key.
   * @throws {RangeError} (rejection) for an invalid `cost`.
   */
  limit(key: string, options?: LimitOptions): Promise<Decision>;
  /** Forgets `key`'s state in the store. */
  reset(key: string): Promise<void>;
}

const MAX_COST = 1_000_000_000;

/**
 * Creates a fail-closed rate limiter: every call resolves within `deadlineMs` to a decision
 * that says why (`ok`, `limited`, `store_unavailable`, `store_timeout`).
 *
 * @param options - Policy (`algorithm`, `limit` + `windowMs` or `rate` + `burst`) or `policies`, `store`, `deadlineMs`, `failMode`.
 * @throws {TypeError | RangeError} when an option is invalid; the message names it.
 * @example
 * ```ts
 * const limiter = createRateLimiter({ limit: 100, windowMs: 60_000 });
 * const decision = await limiter.limit(`user:${id}`);
 * if (!decision.allowed) return tooManyRequests(decision.retryAfterMs);
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const policies = options.policies
    ? resolvePolicies(options.policies, 'policies')
    : resolvePolicies([options], 'options');
  const deadlineMs = options.deadlineMs ?? 100;
  assertNumberOption('deadlineMs', deadlineMs, { min: 1, max: 60_000 });
  const maxKeyLength = options.maxKeyLength ?? DEFAULT_MAX_KEY_LENGTH;
  assertNumberOption('maxKeyLength', maxKeyLength, { min: 16, max: 4096, integer: true });
  const failMode = options.failMode ?? 'closed';
  if (failMode !== 'closed' && failMode !== 'open' && failMode !== 'local') {
    throw new TypeError(`Expected \`failMode\` to be one of closed, open, local, got ${String(failMode)}`);
  }
  const factor = options.localLimitFactor ?? 0.5;
  assertNumberOption('localLimitFactor', factor, { min: 0, minExclusive: true, max: 1 });
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryStore({ clock });
  if (typeof store?.decide !== 'function') throw new TypeError('Expected `store` to have a `decide` function');
  const timers = options.timers ?? systemTimers;
  const logger: RateLimitLogger = options.logger ?? { warn: (m, f) => console.warn(m, f) };
  const onDecision = options.onDecision;
  const local = failMode === 'local' ? createLocal(policies, factor, clock) : undefined;
  let healthy = true;
  if (failMode === 'open') {
    logger.warn('rate limiter configured to fail open: requests are allowed while its store fails', {
      store: store.name,
    });
  }

  function emit(key: string, decision: Decision, cause?: unknown): Decision {
    if (onDecision) {
      try {
        onDecision(cause === undefined ? { key, decision } : { key, decision, cause });
      } catch {
        // A failing observer must not change the decision.
      }
    }
    return decision;
  }

  function succeeded(key: string, outcomes: readonly PolicyOutcome[], cost: number): Decision {
    if (outcomes?.length !== policies.length) {
      return failed(key, 'store_unavailable', new TypeError('store returned a reply of the wrong length'), cost);
    }
    if (!healthy) {
      healthy = true;
      logger.warn('rate limiter store recovered', { store: store.name });
    }
    return emit(key, fromOutcomes(policies, outcomes, undefined));
  }

  function failed(key: string, reason: DecisionReason, cause: unknown, cost: number): Decision {
    if (healthy) {
      healthy = false;
      logger.warn('rate limiter store failing', { store: store.name, reason, failMode, cause: String(cause) });
    }
    const decision = local
      ? fromOutcomes(local.policies, local.store.decide(key, local.policies, cost), reason)
      : withoutStore(policies, reason, failMode === 'open');
    return emit(key, decision, cause);
  }

  /** A reply that consumed units arrived after the caller was denied or gave up: give them back. */
  function refund(key: string, outcomes: readonly PolicyOutcome[], cost: number): void {
    if (cost === 0 || store.refund === undefined || !outcomes?.every((o) => o?.allowed)) return;
    try {
      const done = store.refund(key, policies, cost, outcomes);
      if (isPromiseLike(done)) done.then(undefined, (error: unknown) => refundFailed(error));
    } catch (error) {
      refundFailed(error);
    }
  }

  function refundFailed(cause: unknown): void {
    logger.warn('rate limiter could not refund a late charge', { store: store.name, cause: String(cause) });
  }

  const turn = nextTurn(timers, options.timers !== undefined);
  const wait: StoreWait = { maker: { succeeded, failed, refund }, timers, deadlineMs, turn };

  function run(key: string, cost: number, signal: AbortSignal | undefined): Promise<Decision> {
    let result: readonly PolicyOutcome[] | Promise<readonly PolicyOutcome[]>;
    try {
      result = store.decide(key, policies, cost, deadlineMs);
    } catch (error) {
      return Promise.resolve(failed(key, 'store_unavailable', error, cost));
    }
    if (Array.isArray(result) || !isPromiseLike(result)) return Promise.resolve(succeeded(key, result, cost));
    return awaitStore(wait, result, key, cost, signal);
  }

  function limit(key: string, limitOptions?: LimitOptions): Promise<Decision> {
    const cost = limitOptions?.cost ?? 1;
    if (cost !== 1 && !(Number.isInteger(cost) && cost >= 0 && cost <= MAX_COST)) {
      return Promise.reject(new RangeError(`Expected \`cost\` to be an integer in [0, ${MAX_COST}], got ${cost}`));
    }
    const signal = limitOptions?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const normalized = normalizeKey(key, maxKeyLength);
    if (typeof normalized === 'string') return run(normalized, cost, signal);
    return normalized.then((hashed) => run(hashed, cost, signal));
  }

  return Object.freeze({
    policies,
    get healthy() {
      return healthy;
    },
    limit,
    async reset(key: string): Promise<void> {
      const normalized = await normalizeKey(key, maxKeyLength);
      await store.reset?.(normalized, policies);
      local?.store.reset(normalized, local.policies);
    },
  });
}

function createLocal(policies: readonly ResolvedPolicy[], factor: number, clock: Clock) {
  const scaled = Object.freeze(
    policies.map((p) => Object.freeze({ ...p, limit: Math.max(1, Math.floor(p.limit * factor)) })),
  );
  const store: MemoryStore = createMemoryStore({ clock });
  return { policies: scaled, store };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
