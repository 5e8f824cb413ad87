import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { LimiterCore } from './internal/limiter-core.js';
import { DEFAULT_MAX_KEY_LENGTH } from './key.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import { type PolicyOptions, resolvePolicies } from './policy.js';
import type { Decision, ResolvedPolicy, Store } from './types.js';

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
  const core = new LimiterCore({
    policies,
    store,
    deadlineMs,
    maxKeyLength,
    failMode,
    local: failMode === 'local' ? createLocal(policies, factor, clock) : undefined,
    timers,
    injectedTimers: options.timers !== undefined,
    logger,
    onDecision: options.onDecision,
  });
  if (failMode === 'open') {
    logger.warn('rate limiter configured to fail open: requests are allowed while its store fails', {
      store: store.name,
    });
  }
  // V8 builds an object literal that has a getter in dictionary mode: every `limiter.limit` would
  // be a hash lookup the optimizer cannot inline. The getter defined on a plain object keeps it fast.
  const limiter: { policies: readonly ResolvedPolicy[]; limit?: RateLimiter['limit']; reset?: RateLimiter['reset'] } = {
    policies,
  };
  Object.defineProperty(limiter, 'healthy', { get: () => core.healthy, enumerable: true, configurable: true });
  limiter.limit = (key, limitOptions) => core.limit(key, limitOptions);
  limiter.reset = (key) => core.reset(key);
  return Object.freeze(limiter) as RateLimiter;
}

function createLocal(policies: readonly ResolvedPolicy[], factor: number, clock: Clock) {
  const scaled = Object.freeze(
    policies.map((p) => Object.freeze({ ...p, limit: Math.max(1, Math.floor(p.limit * factor)) })),
  );
  const store: MemoryStore = createMemoryStore({ clock });
  return { policies: scaled, store };
}
