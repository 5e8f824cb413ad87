import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { isBulwarkError } from '@bulwark/errors';
import type { WindowOptions } from './sliding-window.js';

/** Names of the transition and rejection counters reported through {@link CircuitBreakerOptions.onMetric}. */
export type BreakerMetricName =
  | 'breaker.open'
  | 'breaker.reopen'
  | 'breaker.close'
  | 'breaker.half_open'
  | 'breaker.rejections';

/** Options of {@link createCircuitBreaker}. Validated once; every number names itself when wrong. */
export interface CircuitBreakerOptions {
  /** Name used in errors, events, metrics and the registry. Default `'breaker'`. */
  name?: string | undefined;
  /** Sliding window. Default `{ type: 'count', size: 100 }`. */
  window?: WindowOptions | undefined;
  /** Failure rate, in percent (0, 100], at which the breaker opens. Default `50`. */
  failureRateThreshold?: number | undefined;
  /** Slow-call rate, in percent (0, 100], at which the breaker opens. Default `100`. */
  slowCallRateThreshold?: number | undefined;
  /**
   * A call taking at least this long is slow. Default: none — slow-call detection is off, and
   * with a count window the closed-state fast path reads no clock at all. Timeouts always
   * count as slow.
   */
  slowCallDurationMs?: number | undefined;
  /** Calls the window must hold before rates are evaluated. Default `20` (at most the count window size). */
  minimumCalls?: number | undefined;
  /** How long OPEN lasts before trial calls are admitted. Default `30_000`. */
  openWaitMs?: number | undefined;
  /**
   * Open-state backoff: each consecutive reopen (failed half-open trials) multiplies the wait,
   * `openWaitMs × openWaitMultiplier^reopens`, capped by `maxOpenWaitMs`; closing resets it.
   * Number >= 1. Default `1` (a constant wait).
   */
  openWaitMultiplier?: number | undefined;
  /** Cap on the grown open wait, >= `openWaitMs`. Default `max(openWaitMs, 300_000)`. */
  maxOpenWaitMs?: number | undefined;
  /**
   * Trial calls admitted in HALF_OPEN. The decision is taken when all of them settled, or at
   * `maxHalfOpenWaitMs` on the trials that settled by then. Default `5`.
   */
  halfOpenPermits?: number | undefined;
  /**
   * When HALF_OPEN decides on the trials it has (at least one settled), or reopens if trials
   * were admitted and none settled (a hung dependency). Default `60_000`.
   */
  maxHalfOpenWaitMs?: number | undefined;
  /**
   * Per-call timeout: counts as a failure and as slow, rejects with `call_timeout`, and aborts
   * the signal of a function that declares it (`(signal) => …`; a function declared as
   * `() => …` gets no signal of its own, which makes its call cheaper). Default: none.
   */
  timeoutMs?: number | undefined;
  /** Which errors count as failures (others count as successes). Default: every error. */
  isFailure?: ((error: unknown) => boolean) | undefined;
  /**
   * Which returned values count as failures (resilience4j `recordResult`), e.g. an HTTP 503
   * `Response`. The value is still returned to the caller. A predicate that throws counts the
   * call as a failure. Default: none (every returned value is a success).
   */
  isFailureResult?: ((result: unknown) => boolean) | undefined;
  /**
   * Which errors count as nothing at all (neither success nor failure, permit released).
   * Default: `bulkhead_full` and `circuit_open` errors (local load shedding and nested breakers).
   */
  isIgnored?: ((error: unknown) => boolean) | undefined;
  /** Also move OPEN → HALF_OPEN with an unref'd timer instead of only lazily. Default `false`. */
  autoHalfOpen?: boolean | undefined;
  /** Transition/rejection counter hook, e.g. wired to Prometheus. A hook that throws is ignored. */
  onMetric?: ((name: BreakerMetricName, breaker: string) => void) | undefined;
  /** Time source. Default: wall clock. */
  clock?: Clock | undefined;
  /** Timer source for `timeoutMs` and `autoHalfOpen`. Default: global timers, looked up lazily. */
  timers?: TimerProvider | undefined;
}

/** Options after validation and defaults. @internal */
export interface ResolvedBreakerOptions {
  readonly name: string;
  readonly window: WindowOptions;
  readonly failureRateThreshold: number;
  readonly slowCallRateThreshold: number;
  readonly slowCallDurationMs: number | undefined;
  /** Whether outcomes need the clock: slow-call detection or a time window. */
  readonly timed: boolean;
  readonly minimumCalls: number;
  readonly openWaitMs: number;
  readonly openWaitMultiplier: number;
  readonly maxOpenWaitMs: number;
  readonly halfOpenPermits: number;
  readonly maxHalfOpenWaitMs: number;
  readonly timeoutMs: number | undefined;
  readonly isFailure: (error: unknown) => boolean;
  readonly isFailureResult: ((result: unknown) => boolean) | undefined;
  readonly isIgnored: (error: unknown) => boolean;
  readonly autoHalfOpen: boolean;
  readonly onMetric: ((name: BreakerMetricName, breaker: string) => void) | undefined;
  readonly clock: Clock;
  readonly timers: TimerProvider;
}

const everyError = (): boolean => true;

/** The default `isIgnored`: rejections by a bulkhead or a nested breaker. @internal */
export function isLoadShedding(error: unknown): boolean {
  return isBulwarkError(error) && (error.code === 'bulkhead_full' || error.code === 'circuit_open');
}

function resolveWindow(window: WindowOptions | undefined): WindowOptions {
  if (window === undefined) return Object.freeze({ type: 'count', size: 100 });
  if (window.type === 'count') {
    assertNumberOption('window.size', window.size, { min: 1, integer: true });
    return Object.freeze({ type: 'count', size: window.size });
  }
  if (window.type === 'time') {
    assertNumberOption('window.sizeMs', window.sizeMs, { min: 1 });
    const bucketMs = window.bucketMs ?? Math.min(1_000, window.sizeMs);
    assertNumberOption('window.bucketMs', bucketMs, { min: 1, max: window.sizeMs });
    return Object.freeze({ type: 'time', sizeMs: window.sizeMs, bucketMs });
  }
  throw new TypeError(
    `Expected \`window.type\` to be 'count' or 'time', got ${String((window as { type?: unknown }).type)}`,
  );
}

/**
 * Validates options once and applies defaults.
 * @throws {TypeError | RangeError} naming the first invalid option.
 * @internal
 */
export function resolveBreakerOptions(options: CircuitBreakerOptions): ResolvedBreakerOptions {
  const window = resolveWindow(options.window);
  const failureRateThreshold = options.failureRateThreshold ?? 50;
  assertNumberOption('failureRateThreshold', failureRateThreshold, { min: 0, minExclusive: true, max: 100 });
  const slowCallRateThreshold = options.slowCallRateThreshold ?? 100;
  assertNumberOption('slowCallRateThreshold', slowCallRateThreshold, { min: 0, minExclusive: true, max: 100 });
  const { slowCallDurationMs } = options;
  if (slowCallDurationMs !== undefined) assertNumberOption('slowCallDurationMs', slowCallDurationMs, { min: 0 });
  const minimumCalls = options.minimumCalls ?? (window.type === 'count' ? Math.min(20, window.size) : 20);
  assertNumberOption('minimumCalls', minimumCalls, {
    min: 1,
    integer: true,
    ...(window.type === 'count' ? { max: window.size } : {}),
  });
  const openWaitMs = options.openWaitMs ?? 30_000;
  assertNumberOption('openWaitMs', openWaitMs, { min: 0 });
  const openWaitMultiplier = options.openWaitMultiplier ?? 1;
  assertNumberOption('openWaitMultiplier', openWaitMultiplier, { min: 1 });
  const maxOpenWaitMs = options.maxOpenWaitMs ?? Math.max(openWaitMs, 300_000);
  assertNumberOption('maxOpenWaitMs', maxOpenWaitMs, { min: openWaitMs });
  const halfOpenPermits = options.halfOpenPermits ?? 5;
  assertNumberOption('halfOpenPermits', halfOpenPermits, { min: 1, integer: true });
  const maxHalfOpenWaitMs = options.maxHalfOpenWaitMs ?? 60_000;
  assertNumberOption('maxHalfOpenWaitMs', maxHalfOpenWaitMs, { min: 0, minExclusive: true });
  if (options.timeoutMs !== undefined)
    assertNumberOption('timeoutMs', options.timeoutMs, { min: 0, minExclusive: true });
  for (const key of ['isFailure', 'isFailureResult', 'isIgnored', 'onMetric'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new TypeError(`Expected \`${key}\` to be a function, got ${typeof options[key]}`);
    }
  }
  const name = options.name ?? 'breaker';
  if (typeof name !== 'string' || name === '') throw new TypeError('Expected `name` to be a non-empty string');
  return Object.freeze({
    name,
    window,
    failureRateThreshold,
    slowCallRateThreshold,
    slowCallDurationMs,
    timed: slowCallDurationMs !== undefined || window.type === 'time',
    minimumCalls,
    openWaitMs,
    openWaitMultiplier,
    maxOpenWaitMs,
    halfOpenPermits,
    maxHalfOpenWaitMs,
    timeoutMs: options.timeoutMs,
    isFailure: options.isFailure ?? everyError,
    isFailureResult: options.isFailureResult,
    isIgnored: options.isIgnored ?? isLoadShedding,
    autoHalfOpen: options.autoHalfOpen ?? false,
    onMetric: options.onMetric,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
  });
}
