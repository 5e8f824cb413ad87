import type { Clock, TimerHandle, TimerProvider } from '@bulwark/core';

/** A call waiting for its deadline (`start + timeoutMs`, on the breaker's clock). */
export interface DeadlineEntry {
  readonly deadline: number;
  /** True once the call settled, was aborted or expired: the queue then skips it. */
  readonly settled: boolean;
  /** Called once, by the queue, when the deadline passes before the call settled. */
  expire(): void;
}

/** A Node.js `Timeout` (or anything else with `ref`/`unref`). */
interface Refable {
  ref(): unknown;
  unref(): unknown;
}

function isRefable(handle: TimerHandle): handle is Refable {
  return (
    typeof handle === 'object' &&
    handle !== null &&
    typeof (handle as Refable).ref === 'function' &&
    typeof (handle as Refable).unref === 'function'
  );
}

/** Settled entries tolerated inside the queue before it is compacted (amortised O(1) per call). */
const COMPACT_AFTER = 64;
/** Slots kept for reuse when the queue empties; a larger array (after a burst) is released. */
const KEEP_SLOTS = 1_024;

/**
 * The timeouts of one breaker's calls, on one timer. Every call of a breaker has the same
 * `timeoutMs`, so deadlines are in start order: the queue is FIFO and one timer, armed for the
 * earliest deadline, serves every call in flight. A call costs an array slot instead of a
 * `setTimeout` and a `clearTimeout`.
 *
 * When the last call in flight settles, a Node.js timer is unref'd and kept for the next call
 * (re-ref'd then), so a process never waits for a timeout nobody needs; a timer without
 * `ref`/`unref` (fake timers, other runtimes) is cleared. When the timer fires, every call whose
 * deadline is at or before `max(clock.now(), the deadline it was armed for)` expires: the timer
 * is authoritative for the call it was armed for (as a per-call timer was), and the clock
 * decides for the rest, so a late timer expires everything due at once.
 * @internal
 */
export class DeadlineQueue {
  /**
   * Entries at `[head, tail)`; every other slot is empty. The array is reused when the queue
   * empties (emptying it with `length = 0` would free its storage, and each call would allocate it
   * again: sequential calls empty the queue every time).
   */
  private entries: Array<DeadlineEntry | undefined> = [];
  private head = 0;
  private tail = 0;
  /** Settled entries behind the head, not yet removed. */
  private garbage = 0;
  private timer: TimerHandle | undefined;
  /** The deadline the timer was armed for. */
  private armedFor = 0;
  /** The timer is unref'd: no call is in flight. */
  private parked = false;
  private firing = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerProvider,
    private readonly timeoutMs: number,
  ) {}

  /** Calls in flight or not yet removed (for tests and snapshots). */
  get size(): number {
    return this.tail - this.head;
  }

  add(entry: DeadlineEntry): void {
    this.entries[this.tail] = entry;
    this.tail += 1;
    if (this.firing) return; // `fire` arms for the head when it is done
    if (this.timer === undefined) {
      this.arm(entry.deadline, this.timeoutMs);
    } else if (this.parked) {
      (this.timer as Refable).ref();
      this.parked = false;
    }
  }

  /** An entry settled (not by expiry): drops settled entries at the front; idles when empty. */
  settled(): void {
    this.garbage += 1;
    if (this.firing) return;
    this.dropSettledHead();
    if (this.head === this.tail) {
      this.reset();
      this.idle();
    } else if (this.garbage > COMPACT_AFTER && this.garbage * 2 > this.tail - this.head) {
      const live = this.entries.slice(this.head, this.tail).filter((e) => !(e as DeadlineEntry).settled);
      this.entries = live;
      this.head = 0;
      this.tail = live.length;
      this.garbage = 0;
    }
  }

  private dropSettledHead(): void {
    const { entries } = this;
    while (this.head < this.tail && (entries[this.head] as DeadlineEntry).settled) {
      entries[this.head] = undefined;
      this.head += 1;
      this.garbage -= 1;
    }
  }

  /** Empties the queue (every slot before `tail` is already cleared). */
  private reset(): void {
    if (this.entries.length > KEEP_SLOTS) this.entries = [];
    this.head = 0;
    this.tail = 0;
    this.garbage = 0;
  }

  /** The last entry settled outside `fire`, so the timer is armed (and not parked). */
  private idle(): void {
    const timer = this.timer;
    if (isRefable(timer)) {
      timer.unref();
      this.parked = true;
    } else {
      this.timers.clearTimeout(timer);
      this.timer = undefined;
    }
  }

  private arm(deadline: number, delayMs: number): void {
    this.armedFor = deadline;
    this.parked = false;
    // Not unref'd: a pending call is work its caller awaits.
    this.timer = this.timers.setTimeout(() => this.fire(), delayMs);
  }

  private fire(): void {
    this.timer = undefined;
    this.parked = false;
    const limit = Math.max(this.clock.now(), this.armedFor);
    this.firing = true;
    try {
      for (;;) {
        this.dropSettledHead();
        const entry = this.entries[this.head];
        if (entry === undefined || entry.deadline > limit) break;
        this.entries[this.head] = undefined;
        this.head += 1;
        entry.expire();
      }
    } finally {
      this.firing = false;
    }
    this.dropSettledHead();
    const next = this.entries[this.head];
    if (next === undefined) {
      this.reset();
      return;
    }
    this.arm(next.deadline, next.deadline - limit);
  }
}
