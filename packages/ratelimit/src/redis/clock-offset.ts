import type { Clock } from '@bulwark/core';

/** How long one round of offset samples is kept: a Redis clock step heals within two rounds. */
const ROUND_MS = 1_000;

/**
 * A lower bound of `Redis TIME − host clock`, from the times decisions replied with.
 *
 * A reply carrying Redis time `r` that is read at host time `h` was computed at or before `h`,
 * so `r − h` is at most the true offset; the truncations to whole ms are covered by 1 ms more.
 * The largest such sample of the current and the previous one-second round is the tightest
 * lower bound (old rounds are dropped so a Redis clock stepped back cannot keep a stale, too
 * large offset for long). A deadline translated with a lower bound is never later, in Redis
 * time, than the host's own: a script that finds Redis time past it runs after the caller was
 * denied. Rounds are measured on the store's host clock, which should be monotonic.
 * @internal
 */
export class ClockOffset {
  #current = Number.NEGATIVE_INFINITY;
  #previous = Number.NEGATIVE_INFINITY;
  #roundEnd = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Records a reply's Redis time (ms), read now. */
  sample(redisNow: number): void {
    const now = this.clock.now();
    if (now >= this.#roundEnd) {
      this.#previous = now < this.#roundEnd + ROUND_MS ? this.#current : Number.NEGATIVE_INFINITY;
      this.#current = Number.NEGATIVE_INFINITY;
      this.#roundEnd = now + ROUND_MS;
    }
    const offset = redisNow - now - 1;
    if (offset > this.#current) this.#current = offset;
  }

  /**
   * The Redis time (whole ms) `deadlineMs` from now, rounded down, or `0` when no recent sample
   * gives the offset (the script then decides without a deadline).
   */
  deadline(deadlineMs: number | undefined): number {
    if (deadlineMs === undefined) return 0;
    const now = this.clock.now();
    // No sample yet (the round end is -Infinity), or none in the last two rounds.
    if (now >= this.#roundEnd + ROUND_MS) return 0;
    return Math.floor(now + Math.max(this.#current, this.#previous) + deadlineMs);
  }
}
