import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import type { Jitter } from './jitter.js';
import type { RetryBudget } from './retry-budget.js';

/** What `onRetry` and `shouldRetry` receive about the failed attempt. */
export interface RetryContext {
  /** The failure of the attempt. */
  readonly error: unknown;
  /** 1 for the first attempt. */
  readonly attemptNumber: number;
  /** Retries still allowed after this one is spent. */
  readonly retriesLeft: number;
}

/** What `onRetry` receives: the context plus the chosen wait. */
export interface RetryEvent extends RetryContext {
  /** How long the next attempt waits. */
  readonly delayMs: number;
  /** Whether `delayMs` comes from a `Retry-After` (capped by `maxRetryAfterMs`). */
  readonly fromRetryAfter: boolean;
}

/** Options of {@link retry} and {@link createRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt; total attempts = 1 + retries. Default `3`. */
  retries?: number | undefined;
  /** Cap of the first retry's delay (the backoff base). Default `100`. */
  minDelayMs?: number | undefined;
  /** Largest backoff delay. Default `10_000`. */
  maxDelayMs?: number | undefined;
  /** Delay spread inside the cap. Default `'full'`. */
  jitter?: Jitter | undefined;
  /**
   * Extra veto: return `false` to stop retrying. Cannot force a retry of what is never
   * retried (`circuit_open`, `bulkhead_full`, caller aborts, `retryable: false`).
   */
  shouldRetry?: ((context: RetryContext) => boolean | PromiseLike<boolean>) | undefined;
  /** Wait what a `Retry-After` (header or `retryAfterMs`) asks instead of the backoff. Default `true`. */
  respectRetryAfter?: boolean | undefined;
  /** Longest `Retry-After` wait honoured; longer ones are capped to it. Default `60_000`. */
  maxRetryAfterMs?: number | undefined;
  /** A budget shared with other calls; a retry it refuses ends the call with the last error. */
  budget?: RetryBudget | undefined;
  /** Aborting stops the retries and any wait, rejecting with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Time source (HTTP-date `Retry-After`). Default: wall clock. */
  clock?: Clock | undefined;
  /** Timer source for the waits. Default: global timers, looked up lazily. */
  timers?: TimerProvider | undefined;
  /** Called before each wait. A hook that throws is ignored. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
}

/** Options after validation and defaults. @internal */
export interface ResolvedRetryOptions {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: Jitter;
  readonly shouldRetry: RetryOptions['shouldRetry'];
  readonly respectRetryAfter: boolean;
  readonly maxRetryAfterMs: number;
  readonly budget: RetryBudget | undefined;
  readonly clock: Clock;
  readonly timers: TimerProvider;
  readonly onRetry: RetryOptions['onRetry'];
  readonly random: (() => number) | undefined;
}

const JITTERS: readonly Jitter[] = ['full', 'equal', 'none'];

/**
 * Validates once and applies defaults.
 * @throws {TypeError | RangeError} naming the first invalid option.
 * @internal
 */
export function resolveRetryOptions(options: RetryOptions): ResolvedRetryOptions {
  const retries = options.retries ?? 3;
  assertNumberOption('retries', retries, { min: 0, integer: true });
  const minDelayMs = options.minDelayMs ?? 100;
  assertNumberOption('minDelayMs', minDelayMs, { min: 0 });
  const maxDelayMs = options.maxDelayMs ?? Math.max(10_000, minDelayMs);
  assertNumberOption('maxDelayMs', maxDelayMs, { min: minDelayMs });
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  assertNumberOption('maxRetryAfterMs', maxRetryAfterMs, { min: 0 });
  const jitter = options.jitter ?? 'full';
  if (!JITTERS.includes(jitter)) {
    throw new TypeError(`Expected \`jitter\` to be 'full', 'equal' or 'none', got ${String(jitter)}`);
  }
  return Object.freeze({
    retries,
    minDelayMs,
    maxDelayMs,
    jitter,
    shouldRetry: options.shouldRetry,
    respectRetryAfter: options.respectRetryAfter ?? true,
    maxRetryAfterMs,
    budget: options.budget,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
    onRetry: options.onRetry,
    random: options.random,
  });
}
