/** Why a breaker opened; see {@link TripDetails}. */
export type TripReason = 'failure_rate' | 'slow_call_rate' | 'half_open_timeout';

/**
 * Why a breaker opened, with the numbers it decided on, taken before the counters reset: on
 * the `open` event (and `state_change` events to `open`) and in `snapshot().trip`.
 */
export interface TripDetails {
  /**
   * `failure_rate` or `slow_call_rate`: that rate reached its threshold (the failure rate is
   * checked first); `half_open_timeout`: `maxHalfOpenWaitMs` passed with trials admitted but
   * none settled.
   */
  readonly reason: TripReason;
  /** Whose numbers: the CLOSED sliding window, or the HALF_OPEN trials. */
  readonly source: 'window' | 'half_open_trials';
  /** Calls (or settled trials) decided on. */
  readonly calls: number;
  /** Of those, failures. */
  readonly failures: number;
  /** Of those, slow calls. */
  readonly slowCalls: number;
  /** Percent (0 when `calls` is 0). */
  readonly failureRate: number;
  /** Percent (0 when `calls` is 0). */
  readonly slowCallRate: number;
  /** The threshold in force, percent. */
  readonly failureRateThreshold: number;
  /** The threshold in force, percent. */
  readonly slowCallRateThreshold: number;
}

const percent = (part: number, total: number): number => (total === 0 ? 0 : Math.round((part / total) * 10_000) / 100);

/** Builds frozen {@link TripDetails}. @internal */
export function tripDetails(
  reason: TripReason,
  source: TripDetails['source'],
  calls: number,
  failures: number,
  slowCalls: number,
  thresholds: { readonly failureRateThreshold: number; readonly slowCallRateThreshold: number },
): TripDetails {
  return Object.freeze({
    reason,
    source,
    calls,
    failures,
    slowCalls,
    failureRate: percent(failures, calls),
    slowCallRate: percent(slowCalls, calls),
    failureRateThreshold: thresholds.failureRateThreshold,
    slowCallRateThreshold: thresholds.slowCallRateThreshold,
  });
}
