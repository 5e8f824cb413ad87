/**
 * Bucket counts indexed by integer bucket index, stored densely in a Float64Array that grows
 * to the range in use and never beyond `maxBuckets`. When a new index would widen the range
 * past `maxBuckets`, the lowest buckets are collapsed into one (DDSketch's "collapsing lowest"
 * store), so the high quantiles that SLOs care about keep their accuracy.
 * Internal: the public surface is the sketch.
 */
export class DenseStore {
  counts = new Float64Array(0);
  /** Bucket index of `counts[0]`. */
  offset = 0;
  /** Lowest and highest bucket index in use (min > max when empty). */
  minIndex = Number.POSITIVE_INFINITY;
  maxIndex = Number.NEGATIVE_INFINITY;
  /** Whether buckets were ever collapsed (the low quantiles lost their error bound). */
  collapsed = false;

  constructor(readonly maxBuckets: number) {}

  add(index: number, count: number): void {
    let i = index;
    if (i < this.minIndex || i > this.maxIndex) i = this.extend(i);
    (this.counts[i - this.offset] as number) += count;
  }

  /** Widens the range to include `index` (collapsing if needed) and returns where it lands. */
  extend(index: number): number {
    let newMin = Math.min(index, this.minIndex);
    const newMax = Math.max(index, this.maxIndex);
    if (newMax - newMin + 1 > this.maxBuckets) {
      newMin = newMax - this.maxBuckets + 1;
      this.collapsed = true;
    }
    // Reallocate when the range leaves the array. (A collapse always does: the array never
    // holds more than maxBuckets, and a collapsed range is exactly maxBuckets wide.)
    if (newMin < this.offset || newMax >= this.offset + this.counts.length) {
      const width = newMax - newMin + 1;
      const capacity = Math.min(this.maxBuckets, Math.max(32, width + (width >> 1)));
      const next = new Float64Array(capacity);
      const nextOffset = newMin - ((capacity - width) >> 1);
      for (let b = this.minIndex; b <= this.maxIndex; b++) {
        const c = this.counts[b - this.offset] as number;
        if (c !== 0) (next[Math.max(b, newMin) - nextOffset] as number) += c;
      }
      this.counts = next;
      this.offset = nextOffset;
    }
    this.minIndex = newMin;
    this.maxIndex = newMax;
    return Math.max(index, newMin);
  }

  /** Calls `fn(index, count)` for every non-empty bucket, lowest first. */
  forEach(fn: (index: number, count: number) => void): void {
    for (let b = this.minIndex; b <= this.maxIndex; b++) {
      const c = this.counts[b - this.offset] as number;
      if (c !== 0) fn(b, c);
    }
  }

  /** Bytes held by the counts array. */
  get byteLength(): number {
    return this.counts.byteLength;
  }
}
