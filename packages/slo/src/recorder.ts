import { type BurnRateReport, evaluateBurnRate } from './burn-rate.js';
import { SloError } from './errors/slo-error.js';
import { CounterRing, type WindowCounts } from './internal/counter-ring.js';
import { SampleRing } from './internal/sample-ring.js';
import { SketchRing } from './internal/sketch-ring.js';
import { type RecommendationResult, type RecommendOptions, recommendThreshold } from './recommend.js';
import { type BreachAlertEvent, resolveOptions, type SloRecorderOptions } from './recorder-options.js';
import { formatRecorderPrometheus, type PrometheusExportOptions } from './recorder-prometheus.js';
import { createSketch, type Sketch } from './sketch.js';
import { type RouteCounters, SLO_EXPORT_FORMAT, type SloExport } from './slo-export.js';

/** A request's result: `error` requests are always bad, `ok` ones are bad when slow. */
export type Outcome = 'ok' | 'error';

/** One breach ratio: the share of samples above the threshold. */
export interface BreachCount {
  /** Samples above the threshold. */
  readonly breaches: number;
  /** Samples considered. */
  readonly samples: number;
  /** `breaches / samples`, or 0 without samples. */
  readonly ratio: number;
}

/** What {@link SloRecorder.breachRatio} returns. */
export interface BreachRatio {
  /** The route asked about. */
  readonly route: string;
  /** The threshold compared against. */
  readonly thresholdMs: number;
  /** Exact, over the last N samples. */
  readonly lastN: BreachCount;
  /** From the sketches of the time window (values within α of the threshold may be misclassified). */
  readonly window: BreachCount & {
    /** The time window in ms. */
    readonly windowMs: number;
  };
  /** Whether `lastN.ratio` exceeds the breach target. */
  readonly exceeded: boolean;
}

/** Per-route request recorder. Created by {@link createSloRecorder}. */
export interface SloRecorder {
  /**
   * Records one request. Returns the route it was counted under (`other` past `maxRoutes`),
   * or `undefined` when an invalid sample was counted instead of thrown.
   * @throws {slo_invalid_sample} for NaN/negative/infinite durations, non-string routes or unknown outcomes (unless `invalidSamples: 'count'`).
   */
  record(route: string, durationMs: number, outcome?: Outcome): string | undefined;
  /** The latency threshold tracked for `route` (`thresholdsMs` or `objective.thresholdMs`), if any. */
  thresholdMs(route: string): number | undefined;
  /** Routes seen so far, in first-seen order. */
  routes(): string[];
  /** The exact last N durations of `route`, oldest first. */
  samples(route: string): number[];
  /** A merged copy of `route`'s sketches over the last `windowMs` (default: all retained). */
  sketch(route: string, windowMs?: number): Sketch;
  /** {@link recommendThreshold} over the last N samples of `route`. */
  recommendThreshold(route: string, options?: Omit<RecommendOptions, 'subject'>): RecommendationResult;
  /** Breach ratio of `route` over the last N and over `windowMs` (default: 1 hour). */
  breachRatio(route: string, thresholdMs: number, windowMs?: number): BreachRatio;
  /** Evaluates the burn-rate rules and the remaining error budget of `route`. */
  burnRate(route: string): BurnRateReport;
  /** Subscribes to `slo_breach_alert` events; returns the unsubscribe function. */
  onBreachAlert(listener: (event: BreachAlertEvent) => void): () => void;
  /** Bytes held for `route` now: ring buffer + sketches + request-count buckets (0 if unknown). */
  memoryBytes(route: string): number;
  /**
   * Monotonic counters of `route` since the recorder was created: requests, errors and `ok`
   * requests slower than the threshold (bad = errors + slow). They aggregate by sum across
   * instances, so a fleet burn rate is `Σbad / Σrequests / (1 − target)`.
   */
  counters(route: string): RouteCounters;
  /** Invalid samples counted (with `invalidSamples: 'count'`). */
  readonly invalidSamples: number;
  /** Prometheus text: latency summary, breach-ratio gauge, budget gauge, invalid samples. */
  toPrometheus(options?: PrometheusExportOptions): string;
  /** JSON export for another instance or the `bulwark-slo` CLI. */
  toJSON(): SloExport;
}

/** One route's state. Internal. */
export interface RouteState {
  readonly name: string;
  readonly ring: SampleRing;
  readonly sketches: SketchRing;
  readonly fine: CounterRing;
  readonly coarse: CounterRing;
  readonly thresholdMs: number | undefined;
  firing: boolean;
  /** Burn-rate rules firing at the last evaluation (hysteresis). */
  burnFiring: readonly boolean[];
  /** Monotonic since creation: requests, errors, ok-but-slow requests. */
  readonly totals: { requests: number; errors: number; slow: number };
}

/**
 * Creates a latency SLO recorder: per route, the exact last N samples, DDSketch time buckets,
 * request tallies for burn rates and the error budget, and a breach-ratio alert — all driven
 * by the injected clock, with route cardinality bounded by `maxRoutes`.
 *
 * @param options - See {@link SloRecorderOptions}.
 * @throws {RangeError} / {TypeError} when an option is invalid (the message names it).
 * @example
 * ```ts
 * const slo = createSloRecorder({ objective: { target: 0.999, thresholdMs: 300 } });
 * slo.record('GET /users', 42);
 * slo.recommendThreshold('GET /users');
 * ```
 */
export function createSloRecorder(options: SloRecorderOptions = {}): SloRecorder {
  const o = resolveOptions(options);
  const sketchOptions = { relativeAccuracy: o.relativeAccuracy, maxBuckets: o.maxBuckets };
  createSketch(sketchOptions); // validates both options now
  const routes = new Map<string, RouteState>();
  const listeners = new Set<(event: BreachAlertEvent) => void>();
  if (o.onBreachAlert) listeners.add(o.onBreachAlert);
  let invalid = 0;

  function state(name: string): RouteState {
    let s = routes.get(name);
    if (s) return s;
    const thresholdMs = o.thresholdsMs.get(name) ?? o.thresholdMs;
    s = {
      name,
      ring: new SampleRing(o.capacity),
      sketches: new SketchRing(o.sketchBucketMs, o.sketchRetentionMs, sketchOptions),
      fine: new CounterRing(o.bucketMs, o.fineRetentionMs),
      coarse: new CounterRing(o.longBucketMs, o.longRetentionMs),
      thresholdMs,
      firing: false,
      burnFiring: [],
      totals: { requests: 0, errors: 0, slow: 0 },
    };
    if (thresholdMs !== undefined) s.ring.track(thresholdMs);
    routes.set(name, s);
    return s;
  }

  function resolveRoute(route: string): RouteState {
    const existing = routes.get(route);
    if (existing) return existing;
    const named = routes.size - (routes.has(o.otherRoute) ? 1 : 0);
    return state(named >= o.maxRoutes ? o.otherRoute : route);
  }

  function emit(event: BreachAlertEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not break recording.
      }
    }
  }

  function checkBreach(s: RouteState, now: number): void {
    if (s.thresholdMs === undefined) return;
    const samples = s.ring.size;
    const ratio = s.ring.above / samples;
    // Fire above the target; once firing, resolve only at target × alertResolveFactor or below.
    const exceeded = s.firing
      ? ratio > o.breachTarget * o.alertResolveFactor
      : samples >= o.breachMinSamples && ratio > o.breachTarget;
    if (exceeded === s.firing) return;
    s.firing = exceeded;
    emit(
      Object.freeze({
        type: 'slo_breach_alert',
        route: s.name,
        state: exceeded ? 'firing' : 'resolved',
        ratio,
        thresholdMs: s.thresholdMs,
        target: o.breachTarget,
        samples,
        atMs: now,
      }),
    );
  }

  function reject(detail: string): undefined {
    if (o.invalidSamples === 'count') {
      invalid++;
      return undefined;
    }
    throw new SloError('slo_invalid_sample', { detail });
  }

  const lookup = (route: string): RouteState | undefined => routes.get(route);

  const empty = (): WindowCounts => ({ total: 0, errors: 0, slow: 0 });

  const recorder: Omit<SloRecorder, 'invalidSamples'> = {
    record(route, durationMs, outcome = 'ok') {
      if (typeof route !== 'string' || route === '')
        return reject(`Expected a non-empty string route, got ${typeof route}`);
      if (typeof durationMs !== 'number' || !(durationMs >= 0 && durationMs < Number.POSITIVE_INFINITY)) {
        return reject(`Expected a finite duration ≥ 0 for ${route}, got ${String(durationMs)}`);
      }
      if (outcome !== 'ok' && outcome !== 'error')
        return reject(`Expected outcome 'ok' or 'error', got ${String(outcome)}`);
      const now = o.clock.now();
      const s = resolveRoute(route);
      s.ring.push(durationMs);
      s.sketches.add(now, durationMs);
      const error = outcome === 'error';
      const slow = s.thresholdMs !== undefined && durationMs > s.thresholdMs;
      s.fine.add(now, error, slow);
      s.coarse.add(now, error, slow);
      s.totals.requests++;
      if (error) s.totals.errors++;
      else if (slow) s.totals.slow++;
      checkBreach(s, now);
      return s.name;
    },
    routes: () => [...routes.keys()],
    thresholdMs: (route) => lookup(route)?.thresholdMs ?? o.thresholdsMs.get(route) ?? o.thresholdMs,
    samples: (route) => lookup(route)?.ring.toArray() ?? [],
    sketch(route, windowMs = o.sketchRetentionMs) {
      return lookup(route)?.sketches.merged(o.clock.now(), windowMs) ?? createSketch(sketchOptions);
    },
    recommendThreshold(route, options = {}) {
      const result = recommendThreshold(recorder.samples(route), {
        ...options,
        breachTarget: options.breachTarget ?? o.breachTarget,
        subject: route,
      });
      return Object.freeze({ ...result, window: Object.freeze({ kind: 'last_n', capacity: o.capacity } as const) });
    },
    breachRatio(route, thresholdMs, windowMs = 3_600_000) {
      const s = lookup(route);
      const lastSamples = s?.ring.size ?? 0;
      const lastBreaches = s?.ring.countAbove(thresholdMs) ?? 0;
      const sketch = recorder.sketch(route, windowMs);
      const windowBreaches = sketch.countAbove(thresholdMs);
      const ratio = (b: number, n: number) => (n === 0 ? 0 : b / n);
      const lastRatio = ratio(lastBreaches, lastSamples);
      return Object.freeze({
        route,
        thresholdMs,
        lastN: Object.freeze({ breaches: lastBreaches, samples: lastSamples, ratio: lastRatio }),
        window: Object.freeze({
          windowMs,
          breaches: windowBreaches,
          samples: sketch.count,
          ratio: ratio(windowBreaches, sketch.count),
        }),
        exceeded: lastSamples > 0 && lastRatio > o.breachTarget,
      });
    },
    burnRate(route) {
      const s = lookup(route);
      const now = o.clock.now();
      const report = evaluateBurnRate(
        o.target,
        o.rules,
        (windowMs) => {
          const ring = windowMs <= o.fineRetentionMs ? s?.fine : s?.coarse;
          const c = ring?.sum(now, windowMs) ?? empty();
          return { total: c.total, bad: c.errors + c.slow };
        },
        o.periodMs,
        { minEvents: o.burnRateMinEvents, resolveFactor: o.alertResolveFactor, previous: s?.burnFiring },
      );
      if (s) s.burnFiring = report.alerts.map((a) => a.firing);
      return report;
    },
    onBreachAlert(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    memoryBytes(route) {
      const s = lookup(route);
      return s ? s.ring.byteLength + s.sketches.byteLength + s.fine.byteLength + s.coarse.byteLength : 0;
    },
    counters(route) {
      const t = lookup(route)?.totals;
      return Object.freeze({ requests: t?.requests ?? 0, errors: t?.errors ?? 0, slow: t?.slow ?? 0 });
    },
    toPrometheus(options = {}) {
      return formatRecorderPrometheus(recorder as SloRecorder, options);
    },
    toJSON() {
      const now = o.clock.now();
      return {
        format: SLO_EXPORT_FORMAT,
        version: 1,
        exportedAtMs: now,
        capacity: o.capacity,
        routes: [...routes.values()].map((s) => ({
          route: s.name,
          ...(s.thresholdMs === undefined ? {} : { thresholdMs: s.thresholdMs }),
          samples: s.ring.toArray(),
          sketch: s.sketches.merged(now, o.sketchRetentionMs).toJSON(),
          counters: { ...s.totals },
        })),
      };
    },
  };
  // Not a getter in the literal: V8 builds such a literal in dictionary mode, where each
  // `recorder.record` of a request is a hash lookup the optimizer cannot inline.
  Object.defineProperty(recorder, 'invalidSamples', { get: () => invalid, enumerable: true, configurable: true });
  return Object.freeze(recorder as SloRecorder);
}
