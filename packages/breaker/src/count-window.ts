import { OUTCOME_FAILURE, OUTCOME_SLOW, type SlidingWindow, type WindowTotals } from './sliding-window.js';

/**
 * The last `size` call outcomes, in a ring buffer with running totals: O(1) per record and
 * read, one byte per slot, allocated on the first record so idle breakers stay small.
 * @internal
 */
export class CountWindow implements SlidingWindow, WindowTotals {
  calls = 0;
  failures = 0;
  slow = 0;
  private ring: Uint8Array | undefined;
  private next = 0;

  constructor(readonly size: number) {}

  record(outcome: number, _now?: number): void {
    let ring = this.ring;
    if (ring === undefined) {
      ring = new Uint8Array(this.size);
      this.ring = ring;
    }
    const slot = this.next;
    if (this.calls === this.size) {
      const evicted = ring[slot] as number;
      if (evicted & OUTCOME_FAILURE) this.failures -= 1;
      if (evicted & OUTCOME_SLOW) this.slow -= 1;
    } else {
      this.calls += 1;
    }
    ring[slot] = outcome;
    if (outcome & OUTCOME_FAILURE) this.failures += 1;
    if (outcome & OUTCOME_SLOW) this.slow += 1;
    this.next = slot + 1 === this.size ? 0 : slot + 1;
  }

  read(_now?: number): WindowTotals {
    return this;
  }

  reset(): void {
    // Slots are only evicted once `calls === size`, i.e. after all of them were rewritten.
    this.calls = 0;
    this.failures = 0;
    this.slow = 0;
    this.next = 0;
  }
}
