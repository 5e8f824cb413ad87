/** Request tallies of one time window. */
export interface WindowCounts {
  total: number;
  errors: number;
  slow: number;
}

/**
 * Per-time-bucket request tallies (total, errors, slow) in a fixed ring of
 * `⌈retentionMs / bucketMs⌉ + 1` slots, 20 bytes each. Buckets are keyed by
 * `⌊now / bucketMs⌋` from the injected clock; a slot is reset when its bucket is reused.
 * Internal: the recorder reads it for burn rates and the error budget.
 */
export class CounterRing {
  readonly slots: number;
  readonly #epochs: Float64Array;
  readonly #counts: Uint32Array;

  constructor(
    readonly bucketMs: number,
    readonly retentionMs: number,
  ) {
    this.slots = Math.ceil(retentionMs / bucketMs) + 1;
    this.#epochs = new Float64Array(this.slots).fill(-1);
    this.#counts = new Uint32Array(this.slots * 3);
  }

  get byteLength(): number {
    return this.#epochs.byteLength + this.#counts.byteLength;
  }

  add(nowMs: number, error: boolean, slow: boolean): void {
    const bucket = Math.floor(nowMs / this.bucketMs);
    const slot = bucket % this.slots;
    const epoch = this.#epochs[slot] as number;
    if (epoch > bucket) return; // older than what the slot holds: outside retention
    const at = slot * 3;
    if (epoch !== bucket) {
      this.#epochs[slot] = bucket;
      this.#counts.fill(0, at, at + 3);
    }
    (this.#counts[at] as number)++;
    if (error) (this.#counts[at + 1] as number)++;
    else if (slow) (this.#counts[at + 2] as number)++;
  }

  /** Tallies of the last `⌈windowMs / bucketMs⌉` buckets, the current (partial) one included. */
  sum(nowMs: number, windowMs: number): WindowCounts {
    const current = Math.floor(nowMs / this.bucketMs);
    const buckets = Math.min(this.slots, Math.ceil(windowMs / this.bucketMs));
    const out: WindowCounts = { total: 0, errors: 0, slow: 0 };
    for (let k = 0; k < buckets; k++) {
      const bucket = current - k;
      const slot = bucket % this.slots;
      if (this.#epochs[slot] !== bucket) continue;
      out.total += this.#counts[slot * 3] as number;
      out.errors += this.#counts[slot * 3 + 1] as number;
      out.slow += this.#counts[slot * 3 + 2] as number;
    }
    return out;
  }
}
