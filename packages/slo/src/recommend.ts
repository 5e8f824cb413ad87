import { assertNumberOption } from '@bulwark/core';
import { SloError } from './errors/slo-error.js';
import { exactQuantile } from './quantile.js';

/** Options of {@link recommendThreshold}. */
export interface RecommendOptions {
  /**
   * The breach target the threshold must meet: the share of requests allowed above it, in
   * [0, 1]. Default: `0.05`, the recorder's `breachTarget` default (the recorder passes its own).
   */
  breachTarget?: number | undefined;
  /**
   * Share of the breach target the recommendation may use on the observed data, in (0, 1].
   * Default: `0.5`, so a recommendation breaches at most half the target on its own samples.
   */
  budgetShare?: number | undefined;
  /**
   * Quantile the threshold is based on, in (0, 1]. Default: `1 − breachTarget × budgetShare`
   * (p97.5 for the defaults): the quantile that matches the alert. An explicit quantile whose
   * threshold breaches more than `breachTarget` is reported with `withinTarget: false`.
   */
  quantile?: number | undefined;
  /** Headroom multiplied on top of the quantile, ≥ 0. Default: `0` (none). */
  headroom?: number | undefined;
  /** Fewer samples than this gives `insufficient_data`. Integer ≥ 1. Default: `100`. */
  minSamples?: number | undefined;
  /** Name used in the explanation, e.g. the route. Default: `'this route'`. */
  subject?: string | undefined;
}

/** Which data a recommendation was computed from. */
export interface RecommendationWindow {
  /** Always `last_n`: the exact last N samples of the ring buffer. */
  readonly kind: 'last_n';
  /** N, the ring buffer's capacity (or the number of samples given). */
  readonly capacity: number;
}

/** A threshold recommendation: the quantile plus headroom, rounded up to two significant figures. */
export interface ThresholdRecommendation {
  /** Discriminant: a threshold was recommended. */
  readonly status: 'ok';
  /** The recommended SLO threshold in ms. */
  readonly thresholdMs: number;
  /** The nearest-rank quantile of the samples, in ms. */
  readonly quantileMs: number;
  /** The quantile used, e.g. 0.9. */
  readonly quantile: number;
  /** The headroom used, e.g. 0.2. */
  readonly headroom: number;
  /** The breach target the threshold was checked against. */
  readonly breachTarget: number;
  /** Share of the samples above `thresholdMs`: what the breach alert would see on this data. */
  readonly breachRatio: number;
  /** `breachRatio ≤ breachTarget`: the recommendation would not fire the breach alert on its own data. */
  readonly withinTarget: boolean;
  /** Number of samples used. */
  readonly samples: number;
  /** Which data was used. */
  readonly window: RecommendationWindow;
  /** One or two sentences to paste in a runbook. */
  readonly explanation: string;
}

/** Returned instead of a number when there are fewer than `minSamples` samples. */
export interface InsufficientData {
  /** Discriminant: too few samples for a recommendation. */
  readonly status: 'insufficient_data';
  /** Samples available. */
  readonly samples: number;
  /** Samples required. */
  readonly minSamples: number;
  /** The quantile that was asked for. */
  readonly quantile: number;
  /** The headroom that was asked for. */
  readonly headroom: number;
  /** Which data was looked at. */
  readonly window: RecommendationWindow;
  /** One sentence saying why there is no threshold. */
  readonly explanation: string;
}

/** The result of {@link recommendThreshold}. */
export type RecommendationResult = ThresholdRecommendation | InsufficientData;

/**
 * Rounds `value` up to `digits` significant figures: 144 → 150, 1201 → 1300, 0.0123 → 0.013.
 *
 * @example
 * ```ts
 * roundUpSignificant(144, 2); // 150
 * ```
 */
export function roundUpSignificant(value: number, digits = 2): number {
  if (value <= 0) return 0;
  const clean = Number(value.toPrecision(12));
  const magnitude = 10 ** (Math.floor(Math.log10(clean)) - digits + 1);
  const scaled = Number((clean / magnitude).toPrecision(12));
  return Number((Math.ceil(scaled) * magnitude).toPrecision(digits + 1));
}

let numberFormat: Intl.NumberFormat | undefined;

/** `1,234.5`: one formatter built on first use (`toLocaleString` builds one per call, ~0.1 ms). */
function formatNumber(value: number): string {
  numberFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
  return numberFormat.format(value);
}

function formatMs(value: number): string {
  return `${formatNumber(Number(value.toPrecision(6)))} ms`;
}

function percentile(q: number): string {
  return `p${Number((q * 100).toPrecision(6))}`;
}

/**
 * Recommends an SLO latency threshold from exact samples, consistent with the breach alert:
 * the nearest-rank quantile `1 − breachTarget × budgetShare` (p97.5 by default) plus optional
 * headroom, rounded up to two significant figures. At most `(1 − quantile)` of the samples lie
 * above a nearest-rank quantile, so by default the threshold breaches at most half the target
 * on the data it came from; the result reports that `breachRatio` and `withinTarget`. With
 * fewer than `minSamples` samples it returns a typed `insufficient_data` result instead of a
 * made-up number.
 *
 * @param samples - Durations in ms (e.g. the last N requests of a route).
 * @param options - `breachTarget`, `budgetShare`, `quantile`, `headroom`, `minSamples`, `subject`.
 * @throws {RangeError} when an option is out of range (the message names it).
 * @throws {slo_invalid_sample} when a sample is NaN, negative or infinite.
 * @example
 * ```ts
 * const result = recommendThreshold(latencies, { subject: 'GET /users' });
 * if (result.status === 'ok') console.log(result.thresholdMs, result.explanation);
 * ```
 */
export function recommendThreshold(samples: ArrayLike<number>, options: RecommendOptions = {}): RecommendationResult {
  const breachTarget = options.breachTarget ?? 0.05;
  assertNumberOption('breachTarget', breachTarget, { min: 0, max: 1 });
  const budgetShare = options.budgetShare ?? 0.5;
  assertNumberOption('budgetShare', budgetShare, { min: 0, minExclusive: true, max: 1 });
  const quantile = options.quantile ?? 1 - breachTarget * budgetShare;
  const headroom = options.headroom ?? 0;
  const minSamples = options.minSamples ?? 100;
  const subject = options.subject ?? 'this route';
  assertNumberOption('quantile', quantile, { min: 0, minExclusive: true, max: 1 });
  assertNumberOption('headroom', headroom, { min: 0, max: 100 });
  assertNumberOption('minSamples', minSamples, { min: 1, integer: true });
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!(typeof v === 'number' && v >= 0 && v < Number.POSITIVE_INFINITY)) {
      throw new SloError('slo_invalid_sample', { detail: `samples[${i}] is not a finite duration ≥ 0: ${String(v)}` });
    }
  }
  const window: RecommendationWindow = { kind: 'last_n', capacity: samples.length };
  return recommendFromWindow(samples, { quantile, headroom, minSamples, subject, breachTarget }, window);
}

function recommendFromWindow(
  samples: ArrayLike<number>,
  o: { quantile: number; headroom: number; minSamples: number; subject: string; breachTarget: number },
  window: RecommendationWindow,
): RecommendationResult {
  const n = samples.length;
  const p = percentile(o.quantile);
  if (n < o.minSamples) {
    return Object.freeze({
      status: 'insufficient_data',
      samples: n,
      minSamples: o.minSamples,
      quantile: o.quantile,
      headroom: o.headroom,
      window,
      explanation: `Only ${formatNumber(n)} of the required ${formatNumber(o.minSamples)} requests to ${o.subject} were recorded, so no ${p} threshold is recommended yet.`,
    });
  }
  const quantileMs = exactQuantile(samples, o.quantile) as number;
  const thresholdMs = roundUpSignificant(quantileMs * (1 + o.headroom), 2);
  let above = 0;
  for (let i = 0; i < n; i++) if ((samples[i] as number) > thresholdMs) above++;
  const breachRatio = above / n;
  const withinTarget = breachRatio <= o.breachTarget;
  const pct = (x: number) => `${Number((x * 100).toPrecision(6))}%`;
  const adding = o.headroom > 0 ? `adding ${pct(o.headroom)} headroom and ` : '';
  const verdict = withinTarget
    ? `, within the ${pct(o.breachTarget)} breach target.`
    : `, more than the ${pct(o.breachTarget)} breach target: the breach alert would fire on this data; use a higher quantile.`;
  return Object.freeze({
    status: 'ok',
    thresholdMs,
    quantileMs,
    quantile: o.quantile,
    headroom: o.headroom,
    breachTarget: o.breachTarget,
    breachRatio,
    withinTarget,
    samples: n,
    window,
    explanation: `The ${p} of the last ${formatNumber(n)} requests to ${o.subject} is ${formatMs(quantileMs)}; ${adding}rounding up to two significant figures gives a threshold of ${formatMs(thresholdMs)}, which ${pct(breachRatio)} of them exceed${verdict}`,
  });
}
