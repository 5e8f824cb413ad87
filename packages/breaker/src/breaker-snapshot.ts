import type { ResolvedBreakerOptions } from './breaker-options.js';
import type { BreakerStateMachine, CircuitState } from './state-machine.js';
import type { TripDetails } from './trip-details.js';

/** A frozen, JSON-ready view of a breaker, e.g. for a `/health/dependencies` endpoint. */
export interface BreakerSnapshot {
  /** The breaker's name. */
  readonly name: string;
  /** The state at the time of the snapshot (clock-driven transitions applied). */
  readonly state: CircuitState;
  /** Bumped on every transition and reset. */
  readonly generation: number;
  /** Epoch ms when the current state was entered. */
  readonly since: number;
  /** When rejecting calls, how long until calls may be admitted again; otherwise `null`. */
  readonly retryAfterMs: number | null;
  /** The window's current contents (CLOSED only; other states keep it empty). */
  readonly window: {
    /** Count- or time-based. */
    readonly type: 'count' | 'time';
    /** Recorded calls. */
    readonly calls: number;
    /** Of those, failures. */
    readonly failures: number;
    /** Of those, slow calls. */
    readonly slowCalls: number;
    /** Percent, or `null` before any call was recorded. */
    readonly failureRate: number | null;
    /** Percent, or `null` before any call was recorded. */
    readonly slowCallRate: number | null;
  };
  /** Why the breaker last opened, while OPEN or HALF_OPEN; otherwise `null`. */
  readonly trip: TripDetails | null;
  /** HALF_OPEN trial progress, otherwise `null`. */
  readonly halfOpen: {
    /** `halfOpenPermits`. */
    readonly permits: number;
    /** Permits handed out and not released. */
    readonly issued: number;
    /** Trials that produced an outcome. */
    readonly settled: number;
    /** Trials that failed. */
    readonly failures: number;
  } | null;
  /** The configured thresholds. */
  readonly thresholds: {
    /** Percent. */
    readonly failureRateThreshold: number;
    /** Percent. */
    readonly slowCallRateThreshold: number;
    /** `null` when slow-call detection is off. */
    readonly slowCallDurationMs: number | null;
    /** Calls needed before rates are evaluated. */
    readonly minimumCalls: number;
    /** How long OPEN lasts. */
    readonly openWaitMs: number;
  };
}

const rate = (part: number, total: number): number | null =>
  total === 0 ? null : Math.round((part / total) * 10_000) / 100;

/** @internal */
export function takeSnapshot(
  machine: BreakerStateMachine,
  options: ResolvedBreakerOptions,
  now: number,
): BreakerSnapshot {
  const totals = machine.window.read(now);
  const { state } = machine;
  const rejecting = state === 'open' || state === 'forced_open';
  return Object.freeze({
    name: options.name,
    state,
    generation: machine.generation,
    since: machine.since,
    retryAfterMs: rejecting ? machine.retryAfterMs(now) : null,
    window: Object.freeze({
      type: options.window.type,
      calls: totals.calls,
      failures: totals.failures,
      slowCalls: totals.slow,
      failureRate: rate(totals.failures, totals.calls),
      slowCallRate: rate(totals.slow, totals.calls),
    }),
    trip: state === 'open' || state === 'half_open' ? machine.lastTrip : null,
    halfOpen:
      state === 'half_open'
        ? Object.freeze({
            permits: options.halfOpenPermits,
            issued: machine.trialsIssued,
            settled: machine.trialsSettled,
            failures: machine.trialFailures,
          })
        : null,
    thresholds: Object.freeze({
      failureRateThreshold: options.failureRateThreshold,
      slowCallRateThreshold: options.slowCallRateThreshold,
      slowCallDurationMs: options.slowCallDurationMs ?? null,
      minimumCalls: options.minimumCalls,
      openWaitMs: options.openWaitMs,
    }),
  });
}
