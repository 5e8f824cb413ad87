import { assertNumberOption } from '@bulwark/core';
import { SloError } from './errors/slo-error.js';
import { LogSketch } from './internal/log-sketch.js';

/** The default relative-error bound of a {@link Sketch}: 1%. */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;
/** The default bucket cap of a {@link Sketch} (2,048 buckets = 16 KiB at most). */
export const DEFAULT_MAX_BUCKETS = 2048;

/** Options of {@link createSketch}. */
export interface SketchOptions {
  /** Relative-error bound α in (0, 1). Default: `0.01`. */
  relativeAccuracy?: number | undefined;
  /** Most buckets kept; past it the lowest buckets collapse. Integer ≥ 16. Default: `2048`. */
  maxBuckets?: number | undefined;
}

/** The JSON form of a {@link Sketch}: load it with {@link restoreSketch}. */
export interface SketchJSON {
  /** Format version. */
  readonly version: 1;
  /** The relative-error bound α. */
  readonly relativeAccuracy: number;
  /** The bucket cap. */
  readonly maxBuckets: number;
  /** Number of values. */
  readonly count: number;
  /** Sum of the values. */
  readonly sum: number;
  /** Smallest value added (`null` when empty). */
  readonly min: number | null;
  /** Largest value added (`null` when empty). */
  readonly max: number | null;
  /** Number of zeros. */
  readonly zeroCount: number;
  /** Non-empty buckets as `[index, count]`, lowest index first. */
  readonly bins: ReadonlyArray<readonly [number, number]>;
}

/**
 * A mergeable quantile sketch (the DDSketch design, Masson, Rim and Lee, VLDB 2019).
 * Values fall into logarithmic buckets `(γ^(i-1), γ^i]` with `γ = (1+α)/(1−α)`; a quantile is
 * reported as `2γ^i/(γ+1)`, which is within a relative error α of the true nearest-rank
 * sample, as long as the sketch has not collapsed buckets (see {@link Sketch.collapsed}).
 * Zeros are counted exactly in their own bucket; the lowest and highest ranks return the
 * exact `min` and `max`.
 */
export interface Sketch {
  /** The relative-error bound α. */
  readonly relativeAccuracy: number;
  /** The bucket cap. */
  readonly maxBuckets: number;
  /** Number of values added. */
  readonly count: number;
  /** Exact sum of the values added. */
  readonly sum: number;
  /** Smallest value added, or `undefined` when empty. */
  readonly min: number | undefined;
  /** Largest value added, or `undefined` when empty. */
  readonly max: number | undefined;
  /** True once low buckets were collapsed: quantiles below the collapsed range lose the bound. */
  readonly collapsed: boolean;
  /** Bytes held by the bucket array (bounded by `8 × maxBuckets`). */
  readonly byteLength: number;
  /**
   * Adds `value` (`count` times).
   * @throws {slo_invalid_sample} when `value` is NaN, negative or infinite, or `count` is not a positive integer.
   */
  add(value: number, count?: number): void;
  /**
   * The nearest-rank quantile estimate, or `undefined` when empty.
   * @throws {RangeError} when `q` is outside [0, 1].
   */
  quantile(q: number): number | undefined;
  /** Estimated number of values above `thresholdMs` (exact except inside the threshold's own bucket). */
  countAbove(thresholdMs: number): number;
  /**
   * Adds every value of `other` into this sketch.
   * @throws {slo_sketch_mismatch} when the relative accuracies differ.
   */
  merge(other: Sketch): void;
  /** An independent copy. */
  copy(): Sketch;
  /** The JSON form, for another instance or the CLI. */
  toJSON(): SketchJSON;
}

/**
 * Creates an empty DDSketch-style quantile sketch with relative-error bound α (1% by default)
 * and at most `maxBuckets` buckets (16 KiB at the default 2,048).
 *
 * @param options - `relativeAccuracy` and `maxBuckets`.
 * @throws {RangeError} when an option is out of range (the message names it).
 * @example
 * ```ts
 * const sketch = createSketch();
 * for (const ms of [12, 15, 300]) sketch.add(ms);
 * sketch.quantile(0.9); // ≈ 300 (within 1%)
 * ```
 */
export function createSketch(options: SketchOptions = {}): Sketch {
  const relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
  const maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  assertNumberOption('relativeAccuracy', relativeAccuracy, { min: 0, minExclusive: true, max: 0.5 });
  assertNumberOption('maxBuckets', maxBuckets, { min: 16, max: 1_000_000, integer: true });
  return new LogSketch(relativeAccuracy, maxBuckets);
}

function invalid(detail: string): SloError {
  return new SloError('slo_invalid_export', { detail });
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Loads a sketch from its {@link SketchJSON} form (e.g. from another instance), validating
 * every field.
 *
 * @param json - The parsed JSON.
 * @throws {slo_invalid_export} when the JSON is not a valid sketch.
 * @example
 * ```ts
 * const fleet = createSketch();
 * for (const body of responses) fleet.merge(restoreSketch(JSON.parse(body)));
 * ```
 */
export function restoreSketch(json: unknown): Sketch {
  if (typeof json !== 'object' || json === null) throw invalid('Expected a sketch object');
  const j = json as Record<string, unknown>;
  if (j.version !== 1) throw invalid(`Unsupported sketch version ${String(j.version)}`);
  let sketch: LogSketch;
  try {
    sketch = createSketch({
      relativeAccuracy: j.relativeAccuracy as number,
      maxBuckets: j.maxBuckets as number,
    }) as LogSketch;
  } catch (cause) {
    throw new SloError('slo_invalid_export', { detail: (cause as Error).message, cause });
  }
  if (!isCount(j.count) || !isCount(j.zeroCount)) throw invalid('`count` and `zeroCount` must be integers ≥ 0');
  if (typeof j.sum !== 'number' || !Number.isFinite(j.sum) || j.sum < 0) throw invalid('`sum` must be a number ≥ 0');
  if (!Array.isArray(j.bins)) throw invalid('`bins` must be an array');
  let total = j.zeroCount;
  for (const bin of j.bins as unknown[]) {
    if (!Array.isArray(bin) || bin.length !== 2 || !Number.isSafeInteger(bin[0]) || !isCount(bin[1])) {
      throw invalid('Each bin must be [integer index, integer count]');
    }
    total += bin[1];
  }
  if (total !== j.count) throw invalid(`Bin counts add up to ${total}, but \`count\` is ${j.count}`);
  if (j.count > 0) {
    const okRange =
      typeof j.min === 'number' && typeof j.max === 'number' && j.min >= 0 && j.min <= j.max && Number.isFinite(j.max);
    if (!okRange) throw invalid('`min` and `max` must be finite numbers with 0 ≤ min ≤ max');
  }
  sketch.load(j as unknown as SketchJSON);
  return sketch;
}
