import { assertNumberOption } from '@bulwark/core';

/**
 * The 1-based nearest rank of quantile `q` among `n` sorted samples: `max(1, ⌈q·n⌉)`.
 * `q·n` is rounded to 12 significant digits first, so floating-point noise such as
 * `0.07 * 100 = 7.000000000000001` does not skip a rank.
 *
 * @param q - Quantile in [0, 1].
 * @param n - Number of samples (> 0).
 * @example
 * ```ts
 * nearestRank(0.9, 1000); // 900
 * ```
 */
export function nearestRank(q: number, n: number): number {
  const exact = Number((q * n).toPrecision(12));
  return Math.min(n, Math.max(1, Math.ceil(exact)));
}

/**
 * The nearest-rank quantile of `samples`: sort ascending and take the sample at rank
 * `max(1, ⌈q·n⌉)`. The result is always one of the samples (never interpolated), so
 * p90 of the last 1,000 requests is the 900th fastest of them.
 *
 * @param samples - Durations (unsorted; not modified).
 * @param q - Quantile in [0, 1].
 * @returns The quantile, or `undefined` when there are no samples.
 * @throws {RangeError} when `q` is outside [0, 1].
 * @example
 * ```ts
 * exactQuantile([5, 1, 4, 2, 3], 0.9); // 5
 * ```
 */
export function exactQuantile(samples: ArrayLike<number>, q: number): number | undefined {
  assertNumberOption('q', q, { min: 0, max: 1 });
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  return sorted[nearestRank(q, sorted.length) - 1];
}
