import { createSketch, type Sketch, type SketchOptions } from '../sketch.js';

/**
 * One sketch per time bucket (`⌊now / bucketMs⌋`), kept for `retentionMs`; sketches are
 * created lazily, so idle buckets cost nothing. Window queries merge the buckets they cover.
 * Internal: the recorder exposes merged copies.
 */
export class SketchRing {
  readonly slots: number;
  readonly #epochs: Float64Array;
  readonly #sketches: Array<Sketch | undefined>;

  constructor(
    readonly bucketMs: number,
    retentionMs: number,
    readonly options: SketchOptions,
  ) {
    this.slots = Math.ceil(retentionMs / bucketMs) + 1;
    this.#epochs = new Float64Array(this.slots).fill(-1);
    this.#sketches = new Array(this.slots).fill(undefined);
  }

  add(nowMs: number, value: number): void {
    const bucket = Math.floor(nowMs / this.bucketMs);
    const slot = bucket % this.slots;
    const epoch = this.#epochs[slot] as number;
    if (epoch > bucket) return;
    let sketch = this.#sketches[slot];
    if (epoch !== bucket || !sketch) {
      sketch = createSketch(this.options);
      this.#sketches[slot] = sketch;
      this.#epochs[slot] = bucket;
    }
    sketch.add(value);
  }

  /** A merged copy of the last `⌈windowMs / bucketMs⌉` buckets, the current one included. */
  merged(nowMs: number, windowMs: number): Sketch {
    const out = createSketch(this.options);
    const current = Math.floor(nowMs / this.bucketMs);
    const buckets = Math.min(this.slots, Math.ceil(windowMs / this.bucketMs));
    for (let k = 0; k < buckets; k++) {
      const slot = (current - k) % this.slots;
      const sketch = this.#sketches[slot];
      if (sketch && this.#epochs[slot] === current - k) out.merge(sketch);
    }
    return out;
  }

  get byteLength(): number {
    let bytes = this.#epochs.byteLength;
    for (const sketch of this.#sketches) bytes += sketch?.byteLength ?? 0;
    return bytes;
  }
}
