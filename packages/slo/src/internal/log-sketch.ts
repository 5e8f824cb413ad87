import { assertNumberOption } from '@bulwark/core';
import { SloError } from '../errors/slo-error.js';
import { nearestRank } from '../quantile.js';
import type { Sketch, SketchJSON } from '../sketch.js';
import { DenseStore } from './dense-store.js';

/**
 * The {@link Sketch} implementation: logarithmic buckets in a {@link DenseStore}, plus exact
 * count, sum, min, max and zero count. Internal: users get it through `createSketch`.
 */
export class LogSketch implements Sketch {
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  readonly #gamma: number;
  readonly #lnGamma: number;
  readonly #multiplier: number;
  readonly #store: DenseStore;
  #count = 0;
  #sum = 0;
  #zero = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  constructor(relativeAccuracy: number, maxBuckets: number) {
    this.relativeAccuracy = relativeAccuracy;
    this.maxBuckets = maxBuckets;
    this.#gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.#lnGamma = Math.log(this.#gamma);
    this.#multiplier = 1 / this.#lnGamma;
    this.#store = new DenseStore(maxBuckets);
  }

  get count(): number {
    return this.#count;
  }
  get sum(): number {
    return this.#sum;
  }
  get min(): number | undefined {
    return this.#count === 0 ? undefined : this.#min;
  }
  get max(): number | undefined {
    return this.#count === 0 ? undefined : this.#max;
  }
  get collapsed(): boolean {
    return this.#store.collapsed;
  }
  get byteLength(): number {
    return this.#store.byteLength;
  }

  add(value: number, count = 1): void {
    if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) {
      throw new SloError('slo_invalid_sample', { detail: `Expected a finite duration ≥ 0, got ${String(value)}` });
    }
    if (count !== 1 && !(Number.isInteger(count) && count > 0)) {
      throw new SloError('slo_invalid_sample', { detail: `Expected \`count\` to be a positive integer, got ${count}` });
    }
    this.#count += count;
    this.#sum += value * count;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (value === 0) this.#zero += count;
    else this.#store.add(Math.ceil(Math.log(value) * this.#multiplier), count);
  }

  #estimate(index: number): number {
    return (2 * Math.exp(index * this.#lnGamma)) / (this.#gamma + 1);
  }

  #clamp(value: number): number {
    return Math.min(this.#max, Math.max(this.#min, value));
  }

  quantile(q: number): number | undefined {
    assertNumberOption('q', q, { min: 0, max: 1 });
    if (this.#count === 0) return undefined;
    const rank = nearestRank(q, this.#count);
    // The extreme ranks are known exactly.
    if (rank === 1) return this.#min;
    if (rank === this.#count) return this.#max;
    if (rank <= this.#zero) return 0;
    let seen = this.#zero;
    const store = this.#store;
    for (let b = store.minIndex; b <= store.maxIndex; b++) {
      seen += store.counts[b - store.offset] as number;
      if (seen >= rank) return this.#clamp(this.#estimate(b));
    }
    /* v8 ignore next */
    return this.#max;
  }

  countAbove(thresholdMs: number): number {
    if (this.#count === 0 || thresholdMs >= this.#max) return 0;
    if (thresholdMs < this.#min) return this.#count;
    let above = 0;
    this.#store.forEach((index, count) => {
      if (this.#estimate(index) > thresholdMs) above += count;
    });
    return above;
  }

  merge(other: Sketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new SloError('slo_sketch_mismatch', {
        detail: `Cannot merge a sketch with relativeAccuracy ${other.relativeAccuracy} into one with ${this.relativeAccuracy}`,
      });
    }
    const json = other.toJSON();
    if (json.count === 0) return;
    for (const [index, count] of json.bins) this.#store.add(index, count);
    this.#zero += json.zeroCount;
    this.#count += json.count;
    this.#sum += json.sum;
    this.#min = Math.min(this.#min, json.min as number);
    this.#max = Math.max(this.#max, json.max as number);
  }

  copy(): Sketch {
    const copy = new LogSketch(this.relativeAccuracy, this.maxBuckets);
    copy.load(this.toJSON());
    return copy;
  }

  toJSON(): SketchJSON {
    const bins: Array<readonly [number, number]> = [];
    this.#store.forEach((index, count) => {
      bins.push([index, count]);
    });
    return {
      version: 1,
      relativeAccuracy: this.relativeAccuracy,
      maxBuckets: this.maxBuckets,
      count: this.#count,
      sum: this.#sum,
      min: this.min ?? null,
      max: this.max ?? null,
      zeroCount: this.#zero,
      bins,
    };
  }

  /** Loads validated JSON state into this (empty) sketch. */
  load(json: SketchJSON): void {
    for (const [index, count] of json.bins) this.#store.add(index, count);
    this.#zero = json.zeroCount;
    this.#count = json.count;
    this.#sum = json.sum;
    if (json.count > 0) {
      this.#min = json.min as number;
      this.#max = json.max as number;
    }
  }
}
