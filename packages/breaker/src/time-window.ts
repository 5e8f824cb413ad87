import { OUTCOME_FAILURE, OUTCOME_SLOW, type SlidingWindow, type WindowTotals } from './sliding-window.js';

/**
 * Call outcomes of the last `sizeMs`, in `ceil(sizeMs / bucketMs)` buckets keyed by
 * `floor(now / bucketMs)`. No timers: buckets older than the window are dropped when the
 * window is read or written, and only when the bucket index has moved since the last look.
 * Storage is allocated on the first record.
 * @internal
 */
export class TimeWindow implements SlidingWindow, WindowTotals {
  calls = 0;
  failures = 0;
  slow = 0;
  readonly buckets: number;
  /** Bucket index held by each slot. */
  private epochs: Float64Array | undefined;
  /** Per slot: calls, failures, slow (3 entries per slot). */
  private counts: Int32Array | undefined;
  private lastIndex = Number.NEGATIVE_INFINITY;

  constructor(
    readonly sizeMs: number,
    readonly bucketMs: number,
  ) {
    this.buckets = Math.max(1, Math.ceil(sizeMs / bucketMs));
  }

  record(outcome: number, now: number): void {
    const index = Math.floor(now / this.bucketMs);
    this.expire(index);
    let epochs = this.epochs;
    let counts = this.counts;
    if (epochs === undefined || counts === undefined) {
      epochs = new Float64Array(this.buckets);
      counts = new Int32Array(this.buckets * 3);
      this.epochs = epochs;
      this.counts = counts;
    }
    const slot = ((index % this.buckets) + this.buckets) % this.buckets;
    const base = slot * 3;
    // After expire(), a non-empty slot holds this very bucket (or, if the clock stepped back, a
    // later one that the outcome joins).
    if ((counts[base] as number) === 0) epochs[slot] = index;
    counts[base] = (counts[base] as number) + 1;
    this.calls += 1;
    if (outcome & OUTCOME_FAILURE) {
      counts[base + 1] = (counts[base + 1] as number) + 1;
      this.failures += 1;
    }
    if (outcome & OUTCOME_SLOW) {
      counts[base + 2] = (counts[base + 2] as number) + 1;
      this.slow += 1;
    }
  }

  read(now: number): WindowTotals {
    this.expire(Math.floor(now / this.bucketMs));
    return this;
  }

  reset(): void {
    this.calls = 0;
    this.failures = 0;
    this.slow = 0;
    this.counts?.fill(0);
  }

  /** Drops buckets whose index is at or before `index - buckets`. */
  private expire(index: number): void {
    if (index === this.lastIndex) return;
    this.lastIndex = index;
    const epochs = this.epochs;
    const counts = this.counts;
    if (epochs === undefined || counts === undefined || this.calls === 0) return;
    const oldestLive = index - this.buckets + 1;
    for (let slot = 0; slot < this.buckets; slot++) {
      if ((counts[slot * 3] as number) > 0 && (epochs[slot] as number) < oldestLive) this.drop(slot);
    }
  }

  private drop(slot: number): void {
    const counts = this.counts as Int32Array;
    const base = slot * 3;
    this.calls -= counts[base] as number;
    this.failures -= counts[base + 1] as number;
    this.slow -= counts[base + 2] as number;
    counts[base] = 0;
    counts[base + 1] = 0;
    counts[base + 2] = 0;
  }
}
