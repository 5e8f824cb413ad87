/** Smallest latency told apart (ms); anything at or below lands in bin 0. */
const MIN_MS = 0.1;
/** Bin growth factor 2^(1/4): a reported quantile is within ±9% of a sample in its bin. */
const GROWTH = 2 ** 0.25;
const LOG_GROWTH = Math.log(GROWTH);
/** 96 bins reach 0.1 ms × 2^24 ≈ 28 minutes; slower samples share the last bin. */
export const LATENCY_BINS = 96;

/**
 * Fixed-size log histogram of latencies (ms): 96 bin counters plus the total in the last slot,
 * so memory per bucket is bounded and a quantile stops scanning as soon as it has its rank.
 */
export type LatencyHistogram = Uint32Array;

/** An empty histogram. */
export function createLatencyHistogram(): LatencyHistogram {
  return new Uint32Array(LATENCY_BINS + 1);
}

/** Counts one latency (ms); the caller drops non-finite values, negatives count as 0. */
export function addLatency(histogram: LatencyHistogram, ms: number): void {
  const bin = latencyBin(Math.max(0, ms));
  histogram[bin] = (histogram[bin] as number) + 1;
  histogram[LATENCY_BINS] = (histogram[LATENCY_BINS] as number) + 1;
}

/** The bin of a latency; non-finite or negative values are the caller's to drop. */
export function latencyBin(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(LATENCY_BINS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
}

/** Bin values, computed once: the query reads them for every route and bucket. */
const BIN_VALUES = Array.from({ length: LATENCY_BINS }, (_, bin) =>
  bin === 0 ? MIN_MS : Number((MIN_MS * GROWTH ** (bin - 0.5)).toPrecision(3)),
);

/** The value a bin stands for: the geometric middle of its range (bin 0: 0.1 ms). */
export function binValue(bin: number): number {
  return BIN_VALUES[bin] as number;
}

/** Adds the counts of `from` into `into`. */
export function mergeHistogram(into: LatencyHistogram, from: LatencyHistogram): void {
  for (let i = 0; i <= LATENCY_BINS; i++) into[i] = (into[i] as number) + (from[i] as number);
}

/**
 * Nearest-rank p50 and p90 in one pass, plus the sample count; `null` quantiles when empty.
 */
export function medianAndP90(histogram: LatencyHistogram): { count: number; p50: number | null; p90: number | null } {
  const count = histogram[LATENCY_BINS] as number;
  if (count === 0) return { count, p50: null, p90: null };
  const rank50 = Math.ceil(count * 0.5);
  const rank90 = Math.ceil(count * 0.9);
  let seen = 0;
  let p50: number | null = null;
  for (let i = 0; i < LATENCY_BINS; i++) {
    seen += histogram[i] as number;
    if (p50 === null && seen >= rank50) p50 = binValue(i);
    if (seen >= rank90) return { count, p50, p90: binValue(i) };
  }
  return { count, p50, p90: binValue(LATENCY_BINS - 1) };
}
