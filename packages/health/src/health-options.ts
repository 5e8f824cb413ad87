import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import type { CheckResult, HealthCheck } from './health-check.js';

/** Options of {@link createHealth}. */
export interface HealthOptions {
  /** Checks to register at once (more can be added with `register`). */
  checks?: readonly HealthCheck[] | undefined;
  /** Default per-run timeout in ms. Default: 1 000. */
  timeoutMs?: number | undefined;
  /** Default time between runs in ms. Default: 5 000. */
  intervalMs?: number | undefined;
  /**
   * A cached result older than `staleFactor × intervalMs + timeoutMs` fails with
   * `health_check_stale` (the refresher itself is stuck). Default: 3.
   */
  staleFactor?: number | undefined;
  /** Called when a check's status changes, with the thrown error if any (for your logger). */
  onStatusChange?: ((result: CheckResult, error: unknown) => void) | undefined;
  /** Time source. Default: the system clock. */
  clock?: Clock | undefined;
  /** Timer source (refresh loop and check timeouts, all unref'd). Default: the global timers. */
  timers?: TimerProvider | undefined;
}

/** Options after defaults and validation. */
export interface ResolvedHealthOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly staleFactor: number;
  readonly onStatusChange: ((result: CheckResult, error: unknown) => void) | undefined;
  readonly clock: Clock;
  readonly timers: TimerProvider;
}

const MAX_MS = 2_147_483_647; // setTimeout's ceiling

/** Validates a per-check timing option once, naming it. */
export function assertCheckTiming(name: string, value: unknown): asserts value is number {
  assertNumberOption(name, value, { min: 1, max: MAX_MS });
}

/** Applies defaults and validates {@link HealthOptions} once. */
export function resolveHealthOptions(options: HealthOptions): ResolvedHealthOptions {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const intervalMs = options.intervalMs ?? 5_000;
  const staleFactor = options.staleFactor ?? 3;
  assertCheckTiming('timeoutMs', timeoutMs);
  assertCheckTiming('intervalMs', intervalMs);
  assertNumberOption('staleFactor', staleFactor, { min: 1, max: 1_000 });
  return Object.freeze({
    timeoutMs,
    intervalMs,
    staleFactor,
    onStatusChange: options.onStatusChange,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
  });
}
