import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import {
  type BurnRateRule,
  DEFAULT_BURN_RATE_MIN_EVENTS,
  DEFAULT_BURN_RATE_RULES,
  DEFAULT_RESOLVE_FACTOR,
  DEFAULT_SLO_PERIOD_MS,
  normalizeRules,
} from './burn-rate.js';
import { DEFAULT_MAX_BUCKETS, DEFAULT_RELATIVE_ACCURACY } from './sketch.js';

/** The service level objective the recorder tracks for every route. */
export interface SloObjective {
  /** Fraction of requests that must be good, in (0, 1). Default: `0.999`. */
  target?: number | undefined;
  /** A successful request slower than this is bad. Default: none (only errors are bad). */
  thresholdMs?: number | undefined;
  /** The error-budget period. Default: 30 days. */
  periodMs?: number | undefined;
}

/** What a `slo_breach_alert` listener receives. */
export interface BreachAlertEvent {
  /** Always `slo_breach_alert`. */
  readonly type: 'slo_breach_alert';
  /** The route (after folding into `other`). */
  readonly route: string;
  /**
   * `firing` when the ratio rose above the target, `resolved` when it fell to
   * `target × alertResolveFactor` or below (hysteresis).
   */
  readonly state: 'firing' | 'resolved';
  /** Share of the last N samples above `thresholdMs`. */
  readonly ratio: number;
  /** The route's latency threshold. */
  readonly thresholdMs: number;
  /** The breach target that was crossed. */
  readonly target: number;
  /** Samples in the last N. */
  readonly samples: number;
  /** Clock time of the sample that changed the state. */
  readonly atMs: number;
}

/** Options of {@link createSloRecorder}. */
export interface SloRecorderOptions {
  /** Time source for time buckets. Default: the wall clock. */
  clock?: Clock | undefined;
  /** N, the exact last samples kept per route. Default: `1000`. */
  capacity?: number | undefined;
  /** Most distinct routes; later routes are folded into `otherRoute`. Default: `100`. */
  maxRoutes?: number | undefined;
  /** Name of the overflow route. Default: `'other'`. */
  otherRoute?: string | undefined;
  /** Sketch relative-error bound. Default: `0.01`. */
  relativeAccuracy?: number | undefined;
  /** Sketch bucket cap. Default: `2048`. */
  maxBuckets?: number | undefined;
  /** Width of one sketch time bucket. Default: 1 hour. */
  sketchBucketMs?: number | undefined;
  /** How long sketch buckets are kept. Default: 24 hours. */
  sketchRetentionMs?: number | undefined;
  /** Width of the fine request-count buckets (short windows). Default: 1 minute. */
  bucketMs?: number | undefined;
  /** Width of the coarse request-count buckets (windows longer than 6 hours, the budget). Default: 1 hour. */
  longBucketMs?: number | undefined;
  /** The SLO (target, latency threshold, period). */
  objective?: SloObjective | undefined;
  /** Per-route latency thresholds, overriding `objective.thresholdMs`. */
  thresholdsMs?: Readonly<Record<string, number>> | undefined;
  /** Multi-window burn-rate rules. Default: {@link DEFAULT_BURN_RATE_RULES}. */
  burnRateRules?: readonly BurnRateRule[] | undefined;
  /** Breach-ratio alert target, in [0, 1]. Default: `0.05`. */
  breachTarget?: number | undefined;
  /** Samples needed in the last N before a breach alert can fire. Default: `100`. */
  breachMinSamples?: number | undefined;
  /**
   * Hysteresis, in (0, 1]: a firing `slo_breach_alert` resolves only when the ratio falls to
   * `breachTarget × alertResolveFactor`, and a firing burn-rate rule only when a window burns
   * below `burnRate × alertResolveFactor`. `1` turns hysteresis off. Default: `0.8`.
   */
  alertResolveFactor?: number | undefined;
  /**
   * Requests each window of a burn-rate rule must hold before the rule can fire (integer ≥ 0).
   * Default: `10`, so one failed request out of one does not page.
   */
  burnRateMinEvents?: number | undefined;
  /** `throw` a `slo_invalid_sample` error, or `count` it as `invalid_sample`. Default: `'throw'`. */
  invalidSamples?: 'throw' | 'count' | undefined;
  /** Called with every `slo_breach_alert` event. A listener that throws is ignored. */
  onBreachAlert?: ((event: BreachAlertEvent) => void) | undefined;
}

const HOUR = 3_600_000;
/** Windows up to this long are answered from the fine (per-minute) buckets. */
const FINE_RETENTION_MS = 6 * HOUR;

/** Validated, defaulted options. */
export type ResolvedOptions = ReturnType<typeof resolveOptions>;

/** Validates every option once, with messages that name it. */
export function resolveOptions(options: SloRecorderOptions) {
  const o = {
    clock: options.clock ?? systemClock,
    capacity: options.capacity ?? 1000,
    maxRoutes: options.maxRoutes ?? 100,
    otherRoute: options.otherRoute ?? 'other',
    relativeAccuracy: options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY,
    maxBuckets: options.maxBuckets ?? DEFAULT_MAX_BUCKETS,
    sketchBucketMs: options.sketchBucketMs ?? HOUR,
    sketchRetentionMs: options.sketchRetentionMs ?? 24 * HOUR,
    bucketMs: options.bucketMs ?? 60_000,
    longBucketMs: options.longBucketMs ?? HOUR,
    target: options.objective?.target ?? 0.999,
    thresholdMs: options.objective?.thresholdMs,
    periodMs: options.objective?.periodMs ?? DEFAULT_SLO_PERIOD_MS,
    // A Map, so routes such as `constructor` or `__proto__` never hit Object.prototype.
    thresholdsMs: new Map<string, number>(Object.entries(options.thresholdsMs ?? {})),
    rules: normalizeRules(options.burnRateRules ?? DEFAULT_BURN_RATE_RULES),
    breachTarget: options.breachTarget ?? 0.05,
    breachMinSamples: options.breachMinSamples ?? 100,
    alertResolveFactor: options.alertResolveFactor ?? DEFAULT_RESOLVE_FACTOR,
    burnRateMinEvents: options.burnRateMinEvents ?? DEFAULT_BURN_RATE_MIN_EVENTS,
    invalidSamples: options.invalidSamples ?? 'throw',
    onBreachAlert: options.onBreachAlert,
    fineRetentionMs: FINE_RETENTION_MS,
    longRetentionMs: 0,
  };
  assertNumberOption('capacity', o.capacity, { min: 1, max: 10_000_000, integer: true });
  assertNumberOption('maxRoutes', o.maxRoutes, { min: 1, integer: true });
  if (typeof o.otherRoute !== 'string' || o.otherRoute === '') {
    throw new TypeError('Expected `otherRoute` to be a non-empty string');
  }
  assertNumberOption('sketchBucketMs', o.sketchBucketMs, { min: 1 });
  assertNumberOption('sketchRetentionMs', o.sketchRetentionMs, { min: o.sketchBucketMs });
  assertNumberOption('bucketMs', o.bucketMs, { min: 1, max: FINE_RETENTION_MS });
  assertNumberOption('longBucketMs', o.longBucketMs, { min: o.bucketMs });
  assertNumberOption('objective.target', o.target, { min: 0, minExclusive: true, max: 0.999999 });
  if (o.thresholdMs !== undefined) assertNumberOption('objective.thresholdMs', o.thresholdMs, { min: 0 });
  assertNumberOption('objective.periodMs', o.periodMs, { min: o.longBucketMs });
  for (const [route, ms] of o.thresholdsMs) assertNumberOption(`thresholdsMs['${route}']`, ms, { min: 0 });
  assertNumberOption('breachTarget', o.breachTarget, { min: 0, max: 1 });
  assertNumberOption('breachMinSamples', o.breachMinSamples, { min: 1, integer: true });
  assertNumberOption('alertResolveFactor', o.alertResolveFactor, { min: 0, minExclusive: true, max: 1 });
  assertNumberOption('burnRateMinEvents', o.burnRateMinEvents, { min: 0, integer: true });
  if (o.invalidSamples !== 'throw' && o.invalidSamples !== 'count') {
    throw new TypeError("Expected `invalidSamples` to be 'throw' or 'count'");
  }
  o.longRetentionMs = Math.max(o.periodMs, ...o.rules.map((r) => r.longWindowMs));
  return Object.freeze(o);
}
