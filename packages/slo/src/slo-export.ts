import { SloError } from './errors/slo-error.js';
import { restoreSketch, type SketchJSON } from './sketch.js';

/** The `format` marker of a recorder export. */
export const SLO_EXPORT_FORMAT = 'bulwark-slo';

/**
 * Monotonic request counters of one route since its recorder was created. They aggregate by
 * sum across instances (`mergeSloExports` adds them); bad requests are `errors + slow`.
 */
export interface RouteCounters {
  /** Requests recorded. */
  readonly requests: number;
  /** Requests with outcome `error`. */
  readonly errors: number;
  /** `ok` requests slower than the route's threshold (breaching requests). */
  readonly slow: number;
}

/** One route of a {@link SloExport}. */
export interface SloExportRoute {
  /** The route name. */
  readonly route: string;
  /** The route's latency threshold, when one is configured. */
  readonly thresholdMs?: number;
  /** The exact last N durations, oldest first. */
  readonly samples: readonly number[];
  /** The merged sketch over the retained time buckets. */
  readonly sketch: SketchJSON;
  /** Monotonic counters; absent in exports written before they existed. */
  readonly counters?: RouteCounters;
}

/** The JSON export of a recorder ({@link SloRecorder.toJSON}), loaded with {@link parseSloExport}. */
export interface SloExport {
  /** Always `bulwark-slo`. */
  readonly format: typeof SLO_EXPORT_FORMAT;
  /** Format version. */
  readonly version: 1;
  /** Clock time of the export. */
  readonly exportedAtMs: number;
  /** N, the per-route ring-buffer capacity. */
  readonly capacity: number;
  /** One entry per route. */
  readonly routes: readonly SloExportRoute[];
}

function invalid(detail: string): SloError {
  return new SloError('slo_invalid_export', { detail });
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY;
}

function parseCounters(value: unknown, at: string): RouteCounters {
  if (typeof value !== 'object' || value === null) throw invalid(`${at} must be an object`);
  const c = value as Record<string, unknown>;
  for (const key of ['requests', 'errors', 'slow'] as const) {
    if (!Number.isSafeInteger(c[key]) || (c[key] as number) < 0) throw invalid(`${at}.${key} must be an integer ≥ 0`);
  }
  const counters = { requests: c.requests as number, errors: c.errors as number, slow: c.slow as number };
  if (counters.errors + counters.slow > counters.requests) {
    throw invalid(`${at}: errors + slow exceed requests`);
  }
  return counters;
}

function addCounters(a: RouteCounters | undefined, b: RouteCounters | undefined): RouteCounters | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { requests: a.requests + b.requests, errors: a.errors + b.errors, slow: a.slow + b.slow };
}

/**
 * Validates a recorder export (already `JSON.parse`d), e.g. one written by another instance or
 * read by the CLI. Every sample and sketch is checked, so bad data never reaches a quantile.
 *
 * @param json - The parsed JSON.
 * @throws {slo_invalid_export} naming the first invalid field.
 * @example
 * ```ts
 * const data = parseSloExport(JSON.parse(text));
 * for (const r of data.routes) console.log(r.route, recommendThreshold(r.samples));
 * ```
 */
export function parseSloExport(json: unknown): SloExport {
  if (typeof json !== 'object' || json === null) throw invalid('Expected an object');
  const j = json as Record<string, unknown>;
  if (j.format !== SLO_EXPORT_FORMAT) throw invalid(`Expected \`format\` to be '${SLO_EXPORT_FORMAT}'`);
  if (j.version !== 1) throw invalid(`Unsupported export version ${String(j.version)}`);
  if (!isDuration(j.exportedAtMs)) throw invalid('`exportedAtMs` must be a number ≥ 0');
  if (!Number.isSafeInteger(j.capacity) || (j.capacity as number) < 1)
    throw invalid('`capacity` must be an integer ≥ 1');
  if (!Array.isArray(j.routes)) throw invalid('`routes` must be an array');
  const routes = (j.routes as unknown[]).map((entry, i): SloExportRoute => {
    if (typeof entry !== 'object' || entry === null) throw invalid(`routes[${i}] must be an object`);
    const r = entry as Record<string, unknown>;
    if (typeof r.route !== 'string' || r.route === '') throw invalid(`routes[${i}].route must be a non-empty string`);
    if (r.thresholdMs !== undefined && !isDuration(r.thresholdMs))
      throw invalid(`routes[${i}].thresholdMs must be ≥ 0`);
    if (!Array.isArray(r.samples)) throw invalid(`routes[${i}].samples must be an array`);
    const bad = (r.samples as unknown[]).findIndex((v) => !isDuration(v));
    if (bad >= 0) throw invalid(`routes[${i}].samples[${bad}] is not a finite duration ≥ 0`);
    let sketch: SketchJSON;
    try {
      sketch = restoreSketch(r.sketch).toJSON();
    } catch (cause) {
      throw new SloError('slo_invalid_export', { detail: `routes[${i}].sketch: ${(cause as Error).message}`, cause });
    }
    return {
      route: r.route,
      ...(r.thresholdMs === undefined ? {} : { thresholdMs: r.thresholdMs as number }),
      samples: r.samples as number[],
      sketch,
      ...(r.counters === undefined ? {} : { counters: parseCounters(r.counters, `routes[${i}].counters`) }),
    };
  });
  return {
    format: SLO_EXPORT_FORMAT,
    version: 1,
    exportedAtMs: j.exportedAtMs,
    capacity: j.capacity as number,
    routes,
  };
}

/**
 * Merges exports from several instances into one fleet view: per route, sketches are merged
 * (exactly, bucket by bucket), counters summed (a route missing them on one input keeps the
 * others' sums) and the last-N samples concatenated in input order; the
 * merged `capacity` is the sum of the inputs' capacities, so no sample is dropped.
 *
 * @param exports - Parsed exports (see {@link parseSloExport}).
 * @throws {slo_sketch_mismatch} when two sketches of a route use different accuracies.
 * @example
 * ```ts
 * const fleet = mergeSloExports([a.toJSON(), b.toJSON()]);
 * ```
 */
export function mergeSloExports(exports: readonly SloExport[]): SloExport {
  const capacity = Math.max(
    1,
    exports.reduce((sum, e) => sum + e.capacity, 0),
  );
  const byRoute = new Map<
    string,
    {
      thresholdMs?: number;
      samples: number[];
      sketch: ReturnType<typeof restoreSketch>;
      counters: RouteCounters | undefined;
    }
  >();
  for (const e of exports) {
    for (const r of e.routes) {
      const found = byRoute.get(r.route);
      if (!found) {
        byRoute.set(r.route, {
          ...(r.thresholdMs === undefined ? {} : { thresholdMs: r.thresholdMs }),
          samples: [...r.samples],
          sketch: restoreSketch(r.sketch),
          counters: r.counters,
        });
        continue;
      }
      found.samples.push(...r.samples);
      found.sketch.merge(restoreSketch(r.sketch));
      found.counters = addCounters(found.counters, r.counters);
    }
  }
  return {
    format: SLO_EXPORT_FORMAT,
    version: 1,
    exportedAtMs: Math.max(0, ...exports.map((e) => e.exportedAtMs)),
    capacity,
    routes: [...byRoute].map(([route, r]) => ({
      route,
      ...(r.thresholdMs === undefined ? {} : { thresholdMs: r.thresholdMs }),
      samples: r.samples,
      sketch: r.sketch.toJSON(),
      ...(r.counters === undefined ? {} : { counters: r.counters }),
    })),
  };
}
