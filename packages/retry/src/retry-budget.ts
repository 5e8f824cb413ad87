import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';

/** Options of {@link createRetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call in the window, e.g. `0.2` = 20 % extra load. Default `0.2`. */
  ratio?: number | undefined;
  /** Retries always allowed per second, so low-traffic callers can still retry. Default `10`. */
  minRetriesPerSecond?: number | undefined;
  /** How far back calls and retries are remembered. Default `10_000`. */
  windowMs?: number | undefined;
  /** Time source. Default: wall clock. */
  clock?: Clock | undefined;
}

/** Counters of a {@link RetryBudget}. */
export interface RetryBudgetSnapshot {
  /** Calls recorded in the window. */
  readonly calls: number;
  /** Retries spent in the window. */
  readonly retries: number;
  /** Retries that may still be spent now. */
  readonly available: number;
}

/**
 * A retry budget shared by many calls (Finagle `RetryBudget`): retries are allowed only while
 * `retries <= ratio * calls + minRetriesPerSecond * windowSeconds` over the sliding window,
 * so a dependency outage adds at most `ratio` extra load instead of multiplying it.
 */
export interface RetryBudget {
  /** Records one call (done by `retry()` for every call). */
  recordCall(): void;
  /** Spends one retry if the budget allows it. */
  tryRetry(): boolean;
  /** Current counters. */
  snapshot(): RetryBudgetSnapshot;
}

const BUCKETS = 10;

class RetryBudgetImpl implements RetryBudget {
  private readonly bucketMs: number;
  private readonly reserve: number;
  private readonly epochs = new Float64Array(BUCKETS).fill(Number.NEGATIVE_INFINITY);
  private readonly callCounts = new Float64Array(BUCKETS);
  private readonly retryCounts = new Float64Array(BUCKETS);
  private calls = 0;
  private retries = 0;

  constructor(
    private readonly ratio: number,
    minRetriesPerSecond: number,
    windowMs: number,
    private readonly clock: Clock,
  ) {
    this.bucketMs = windowMs / BUCKETS;
    this.reserve = (minRetriesPerSecond * windowMs) / 1_000;
  }

  recordCall(): void {
    const slot = this.advance();
    this.callCounts[slot] = (this.callCounts[slot] as number) + 1;
    this.calls += 1;
  }

  tryRetry(): boolean {
    const slot = this.advance();
    if (this.available() < 1) return false;
    this.retryCounts[slot] = (this.retryCounts[slot] as number) + 1;
    this.retries += 1;
    return true;
  }

  snapshot(): RetryBudgetSnapshot {
    this.advance();
    return Object.freeze({ calls: this.calls, retries: this.retries, available: Math.floor(this.available()) });
  }

  private available(): number {
    return this.reserve + this.ratio * this.calls - this.retries;
  }

  /** Drops buckets that left the window (no timers) and returns the slot of now. */
  private advance(): number {
    const index = Math.floor(this.clock.now() / this.bucketMs);
    for (let slot = 0; slot < BUCKETS; slot++) {
      if ((this.epochs[slot] as number) <= index - BUCKETS) {
        this.calls -= this.callCounts[slot] as number;
        this.retries -= this.retryCounts[slot] as number;
        this.callCounts[slot] = 0;
        this.retryCounts[slot] = 0;
        this.epochs[slot] = Number.NEGATIVE_INFINITY;
      }
    }
    const slot = ((index % BUCKETS) + BUCKETS) % BUCKETS;
    this.epochs[slot] = Math.max(this.epochs[slot] as number, index);
    return slot;
  }
}

/**
 * Creates a retry budget to share across calls to one dependency (pass it as `budget`).
 *
 * @param options - `ratio`, `minRetriesPerSecond`, `windowMs`, `clock`.
 * @throws {TypeError | RangeError} naming the option, when an option is invalid.
 * @example
 * ```ts
 * const budget = createRetryBudget({ ratio: 0.1, minRetriesPerSecond: 5 });
 * await retry(() => callPayments(), { retries: 3, budget });
 * ```
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const ratio = options.ratio ?? 0.2;
  assertNumberOption('ratio', ratio, { min: 0 });
  const minRetriesPerSecond = options.minRetriesPerSecond ?? 10;
  assertNumberOption('minRetriesPerSecond', minRetriesPerSecond, { min: 0 });
  const windowMs = options.windowMs ?? 10_000;
  assertNumberOption('windowMs', windowMs, { min: 0, minExclusive: true });
  return new RetryBudgetImpl(ratio, minRetriesPerSecond, windowMs, options.clock ?? systemClock);
}
