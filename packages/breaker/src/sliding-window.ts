/** Outcome bit: the call failed. */
export const OUTCOME_FAILURE = 1;
/** Outcome bit: the call was slow (duration >= `slowCallDurationMs`). */
export const OUTCOME_SLOW = 2;

/** Aggregates over the calls currently inside a window. */
export interface WindowTotals {
  /** Recorded calls (successes and failures; never rejected or ignored calls). */
  readonly calls: number;
  /** Of those, failures. */
  readonly failures: number;
  /** Of those, slow calls (failed or not). */
  readonly slow: number;
}

/**
 * A sliding window of call outcomes. Implementations never start timers: time-based windows
 * drop expired buckets when they are read or written.
 * @internal
 */
export interface SlidingWindow {
  /** Records one outcome (a bit set of {@link OUTCOME_FAILURE} and {@link OUTCOME_SLOW}). */
  record(outcome: number, now: number): void;
  /** The totals at `now`, after dropping what has expired. */
  read(now: number): WindowTotals;
  /** Forgets every outcome. */
  reset(): void;
}

/**
 * How a breaker aggregates outcomes:
 * - `{ type: 'count', size }` — the last `size` calls (resilience4j `COUNT_BASED`).
 * - `{ type: 'time', sizeMs, bucketMs? }` — calls of the last `sizeMs`, in buckets of
 *   `bucketMs` (default 1000) (resilience4j `TIME_BASED`).
 */
export type WindowOptions =
  | {
      /** The last `size` calls. */
      readonly type: 'count';
      /** Calls in the window (integer >= 1). */
      readonly size: number;
    }
  | {
      /** The calls of the last `sizeMs`. */
      readonly type: 'time';
      /** Window length in ms. */
      readonly sizeMs: number;
      /** Bucket length in ms, at most `sizeMs`. Default `min(1000, sizeMs)`. */
      readonly bucketMs?: number;
    };
