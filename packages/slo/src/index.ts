/**
 * Latency SLOs answered inside the process: a mergeable DDSketch-style quantile sketch with a
 * proven relative-error bound ({@link createSketch}), a per-route recorder with the exact last N
 * samples, time buckets from an injected clock and bounded route cardinality
 * ({@link createSloRecorder}), a threshold recommender ({@link recommendThreshold}), breach
 * ratios with a `slo_breach_alert` event, Google SRE multi-window burn-rate alerts
 * ({@link evaluateBurnRate}), Prometheus and JSON export ({@link parseSloExport},
 * {@link mergeSloExports}). Runtime-agnostic: no `node:` imports outside the `bulwark-slo` CLI.
 *
 * Internals such as the dense bucket store, ring buffers and CLI runner are intentionally not
 * exported: they carry no compatibility promise.
 *
 * @module
 */
export {
  type BurnRateAlert,
  type BurnRateEvaluationOptions,
  type BurnRateReport,
  type BurnRateRule,
  DEFAULT_BURN_RATE_MIN_EVENTS,
  DEFAULT_BURN_RATE_RULES,
  DEFAULT_RESOLVE_FACTOR,
  DEFAULT_SLO_PERIOD_MS,
  type ErrorBudget,
  evaluateBurnRate,
  normalizeRules,
  type ResolvedBurnRateRule,
  type WindowBurn,
} from './burn-rate.js';
export { type SloErrorCode, sloErrors } from './errors/codes.js';
export { isSloError, SloError } from './errors/slo-error.js';
export { type LatencyLineError, type ParsedLatencies, parseLatencies } from './parse-latencies.js';
export { exactQuantile, nearestRank } from './quantile.js';
export {
  type InsufficientData,
  type RecommendationResult,
  type RecommendationWindow,
  type RecommendOptions,
  recommendThreshold,
  roundUpSignificant,
  type ThresholdRecommendation,
} from './recommend.js';
export { type BreachCount, type BreachRatio, createSloRecorder, type Outcome, type SloRecorder } from './recorder.js';
export type { BreachAlertEvent, SloObjective, SloRecorderOptions } from './recorder-options.js';
export type { PrometheusExportOptions } from './recorder-prometheus.js';
export {
  createSketch,
  DEFAULT_MAX_BUCKETS,
  DEFAULT_RELATIVE_ACCURACY,
  restoreSketch,
  type Sketch,
  type SketchJSON,
  type SketchOptions,
} from './sketch.js';
export {
  mergeSloExports,
  parseSloExport,
  type RouteCounters,
  SLO_EXPORT_FORMAT,
  type SloExport,
  type SloExportRoute,
} from './slo-export.js';
