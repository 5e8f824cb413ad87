/**
 * The exact last N durations of one route, in a fixed Float64Array (8 bytes per sample),
 * with a running count of samples above one tracked threshold so the breach ratio over the
 * last N is O(1) per sample. Internal: the recorder exposes it through its methods.
 */
export class SampleRing {
  readonly #values: Float64Array;
  #next = 0;
  #size = 0;
  #threshold = Number.POSITIVE_INFINITY;
  #above = 0;

  constructor(readonly capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get byteLength(): number {
    return this.#values.byteLength;
  }

  /** Samples above the tracked threshold. */
  get above(): number {
    return this.#above;
  }

  push(value: number): void {
    if (this.#size === this.capacity) {
      if ((this.#values[this.#next] as number) > this.#threshold) this.#above--;
    } else {
      this.#size++;
    }
    this.#values[this.#next] = value;
    if (value > this.#threshold) this.#above++;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Changes the tracked threshold (recounts the buffer). */
  track(threshold: number): void {
    this.#threshold = threshold;
    this.#above = this.countAbove(threshold);
  }

  countAbove(threshold: number): number {
    let above = 0;
    for (let i = 0; i < this.#size; i++) if ((this.#values[i] as number) > threshold) above++;
    return above;
  }

  /** The samples, oldest first. */
  toArray(): number[] {
    const out: number[] = [];
    const start = this.#size === this.capacity ? this.#next : 0;
    for (let i = 0; i < this.#size; i++) out.push(this.#values[(start + i) % this.capacity] as number);
    return out;
  }
}
