import type { BreakerLevel, Bucket, BucketRing } from './bucket-ring.js';
import { createLatencyHistogram, type LatencyHistogram, medianAndP90, mergeHistogram } from './latency-histogram.js';
import type { MetricsHistory } from './metrics-history.js';

/** A route's recommended SLO threshold, or why there is none yet. */
export type RouteThreshold =
  | { readonly status: 'ok'; readonly thresholdMs: number }
  | { readonly status: 'insufficient_data'; readonly samples: number; readonly minSamples: number };

/** Latency series of one route. */
export interface RouteLatencySeries {
  readonly route: string;
  /** Samples in the window. */
  readonly samples: number;
  /** p50/p90 over the whole window (ms), `null` without samples. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p50Series: ReadonlyArray<number | null>;
  readonly p90Series: ReadonlyArray<number | null>;
  readonly threshold: RouteThreshold;
}

/** What `GET /admin/history` answers: one value per bucket, oldest first, aligned with `timestamps`. */
export interface HistorySnapshot {
  readonly windowMs: number;
  readonly bucketMs: number;
  /** Bucket start times in epoch **seconds** (what uPlot expects). The last bucket is partial. */
  readonly timestamps: readonly number[];
  /** Attempts per second: succeeded, failed and rescheduled (`retried`), dead-lettered (`failed`). */
  readonly deliveries: {
    readonly succeeded: readonly number[];
    readonly retried: readonly number[];
    readonly failed: readonly number[];
  };
  /** Events accepted per second. */
  readonly publishes: readonly number[];
  /** Errors answered per bucket, by code, most frequent first. */
  readonly errors: ReadonlyArray<{ readonly code: string; readonly total: number; readonly counts: readonly number[] }>;
  /** Routes with samples in the window, busiest first. */
  readonly latency: readonly RouteLatencySeries[];
  /**
   * Breaker state per bucket (0 closed, 1 half-open, 2 open; the worst seen in the bucket), and
   * `current`: the state now (the last bucket's worst may be an open that has closed since).
   */
  readonly breakers: ReadonlyArray<{
    readonly endpointId: string;
    readonly current: BreakerLevel;
    readonly levels: readonly BreakerLevel[];
  }>;
  /** Last DLQ depth known at each bucket (`null` before the first sample). */
  readonly dlqDepth: ReadonlyArray<number | null>;
  readonly totals: {
    readonly succeeded: number;
    readonly retried: number;
    readonly failed: number;
    readonly publishes: number;
    readonly errors: number;
  };
  readonly dropped: { readonly routes: number; readonly endpoints: number };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Per ring and window length: each route's histogram merged over the window's closed buckets
 * (all but the current one). They change only when the window slides or a closed bucket is
 * written (a clock that stepped back), so a rebuild within one bucket merges just the current one.
 */
const closedMerges = new WeakMap<
  BucketRing,
  Map<number, { first: number; seq: number; routes: Map<string, LatencyHistogram> }>
>();

function closedMerge(
  ring: BucketRing,
  first: number,
  closedBuckets: ReadonlyArray<Bucket | undefined>,
): Map<string, LatencyHistogram> {
  let byCount = closedMerges.get(ring);
  if (byCount === undefined) {
    byCount = new Map();
    closedMerges.set(ring, byCount);
  }
  const entry = byCount.get(closedBuckets.length);
  if (entry && entry.first === first && !closedBuckets.some((b) => b && b.seq > entry.seq)) return entry.routes;
  const fresh = { first, seq: ring.seq, routes: new Map<string, LatencyHistogram>() };
  byCount.set(closedBuckets.length, fresh);
  return fresh.routes;
}

/**
 * Reads the last `windowMs` of `history` (at most its retention) into aligned series.
 * `thresholdFor` supplies each route's recommended SLO threshold.
 */
export function queryHistory(
  history: MetricsHistory,
  windowMs: number,
  thresholdFor: (route: string) => RouteThreshold,
): HistorySnapshot {
  const { bucketMs, ring } = history;
  const count = Math.max(1, Math.min(ring.capacity - 1, Math.ceil(windowMs / bucketMs)));
  const last = history.currentIndex();
  const first = last - count + 1;
  const perSecond = 1000 / bucketMs;
  const buckets: Array<Bucket | undefined> = [];
  const timestamps: number[] = [];
  for (let i = first; i <= last; i++) {
    buckets.push(ring.read(i));
    timestamps.push((i * bucketMs) / 1000);
  }
  const series = (pick: (b: Bucket) => number) => buckets.map((b) => (b ? round(pick(b) * perSecond) : 0));
  const sum = (pick: (b: Bucket) => number) => buckets.reduce((total, b) => total + (b ? pick(b) : 0), 0);

  const errorTotals = new Map<string, number>();
  for (const b of buckets)
    for (const [code, n] of b?.errors ?? []) errorTotals.set(code, (errorTotals.get(code) ?? 0) + n);
  const errors = [...errorTotals]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, total]) => ({ code, total, counts: buckets.map((b) => b?.errors.get(code) ?? 0) }));

  const latency: RouteLatencySeries[] = [];
  const closed = closedMerge(ring, first, buckets.slice(0, -1));
  for (const route of history.routes()) {
    let closedPart = closed.get(route);
    if (closedPart === undefined) {
      closedPart = createLatencyHistogram();
      for (let i = 0; i < buckets.length - 1; i++) {
        const histogram = buckets[i]?.latency.get(route);
        if (histogram) mergeHistogram(closedPart, histogram);
      }
      closed.set(route, closedPart);
    }
    const whole = new Uint32Array(closedPart);
    const current = buckets.at(-1)?.latency.get(route);
    if (current) mergeHistogram(whole, current);
    const p50Series: Array<number | null> = [];
    const p90Series: Array<number | null> = [];
    for (const b of buckets) {
      const histogram = b?.latency.get(route);
      if (b === undefined || histogram === undefined) {
        p50Series.push(null);
        p90Series.push(null);
        continue;
      }
      // A bucket's quantiles are computed once (until it is written to again).
      let q = b.quantiles?.get(route);
      if (q === undefined) {
        q = medianAndP90(histogram);
        b.quantiles ??= new Map();
        b.quantiles.set(route, q);
      }
      p50Series.push(q.p50);
      p90Series.push(q.p90);
    }
    const overall = medianAndP90(whole);
    if (overall.count === 0) continue;
    latency.push({
      route,
      samples: overall.count,
      p50: overall.p50,
      p90: overall.p90,
      p50Series,
      p90Series,
      threshold: thresholdFor(route),
    });
  }

  // Busiest route first: that is the one the dashboard shows unless told otherwise.
  latency.sort((a, b) => b.samples - a.samples);

  // Breakers: walk back from the current state; a bucket with transitions shows its worst state
  // and hands the state it started from to the bucket before it.
  const breakers = [...history.breakerLevels].map(([endpointId, now]) => {
    const levels = new Array<BreakerLevel>(buckets.length);
    let carried = now;
    for (let i = buckets.length - 1; i >= 0; i--) {
      const entry = buckets[i]?.breakers.get(endpointId);
      levels[i] = entry ? entry.worst : carried;
      if (entry) carried = entry.before;
    }
    return { endpointId, current: now, levels };
  });

  // DLQ depth carries forward from the last sample, looking behind the window when needed.
  let depth: number | null = null;
  for (let i = last - ring.capacity + 1; i < first; i++) depth = ring.read(i)?.dlq ?? depth;
  const dlqDepth = buckets.map((b) => {
    depth = b?.dlq ?? depth;
    return depth;
  });

  return {
    windowMs: count * bucketMs,
    bucketMs,
    timestamps,
    deliveries: {
      succeeded: series((b) => b.succeeded),
      retried: series((b) => b.retried),
      failed: series((b) => b.failed),
    },
    publishes: series((b) => b.publishes),
    errors,
    latency,
    breakers,
    dlqDepth,
    totals: {
      succeeded: sum((b) => b.succeeded),
      retried: sum((b) => b.retried),
      failed: sum((b) => b.failed),
      publishes: sum((b) => b.publishes),
      errors: [...errorTotals.values()].reduce((a, b) => a + b, 0),
    },
    dropped: history.dropped(),
  };
}
