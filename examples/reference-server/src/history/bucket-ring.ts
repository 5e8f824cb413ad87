import { createLatencyHistogram, type LatencyHistogram } from './latency-histogram.js';

/** Breaker states ordered by severity: the timeline shows the worst state a bucket saw. */
export const BREAKER_LEVEL = { closed: 0, half_open: 1, open: 2 } as const;

/** A breaker state the history keeps. */
export type BreakerLevel = (typeof BREAKER_LEVEL)[keyof typeof BREAKER_LEVEL];

/** What one time bucket counted. Maps are bounded by the history's cardinality caps. */
export interface Bucket {
  /** floor(epochMs / bucketMs) of the time this bucket covers. */
  index: number;
  succeeded: number;
  retried: number;
  failed: number;
  publishes: number;
  readonly errors: Map<string, number>;
  readonly latency: Map<string, LatencyHistogram>;
  /** Per endpoint: the state before this bucket's first transition, and the worst state in it. */
  readonly breakers: Map<string, { readonly before: BreakerLevel; worst: BreakerLevel }>;
  /** Last DLQ depth sampled in this bucket. */
  dlq: number | undefined;
  /** The ring's write count at this bucket's last write. */
  seq: number;
  /** p50/p90 per route, memoized by the query; any write clears it. */
  quantiles: Map<string, { readonly p50: number | null; readonly p90: number | null }> | undefined;
}

function emptyBucket(index: number): Bucket {
  return {
    index,
    succeeded: 0,
    retried: 0,
    failed: 0,
    publishes: 0,
    errors: new Map(),
    latency: new Map(),
    breakers: new Map(),
    dlq: undefined,
    quantiles: undefined,
    seq: 0,
  };
}

/**
 * A fixed array of `capacity` buckets reused in a circle: bucket `i` lives in slot `i % capacity`
 * and a slot holding an older index is cleared on reuse, so memory never grows with time.
 */
export class BucketRing {
  readonly #slots: Array<Bucket | undefined>;
  readonly capacity: number;
  /** Counts writes; each bucket keeps the count of its last write, so memos can tell what changed. */
  seq = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#slots = new Array<Bucket | undefined>(capacity).fill(undefined);
  }

  /** The bucket for `index`, created (or recycled) on first write. */
  write(index: number): Bucket {
    const slot = ((index % this.capacity) + this.capacity) % this.capacity;
    let bucket = this.#slots[slot];
    if (bucket === undefined || bucket.index !== index) {
      bucket = emptyBucket(index);
      this.#slots[slot] = bucket;
    }
    bucket.quantiles = undefined;
    bucket.seq = ++this.seq;
    return bucket;
  }

  /** The bucket for `index` when it holds data and is still in the ring. */
  read(index: number): Bucket | undefined {
    const bucket = this.#slots[((index % this.capacity) + this.capacity) % this.capacity];
    return bucket?.index === index ? bucket : undefined;
  }

  /** The latency histogram of `route` in a bucket, created on first write. */
  static histogram(bucket: Bucket, route: string): LatencyHistogram {
    let histogram = bucket.latency.get(route);
    if (histogram === undefined) {
      histogram = createLatencyHistogram();
      bucket.latency.set(route, histogram);
    }
    return histogram;
  }
}
