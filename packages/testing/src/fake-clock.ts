import type { Clock, TimerHandle, TimerProvider } from '@bulwark/core';

interface ScheduledTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A manual clock that is also a {@link TimerProvider}: time moves only when a test calls
 * {@link FakeClock.advance} (or {@link FakeClock.set}), and due timers fire in order.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(1_700_000_000_000);
 * const breaker = createCircuitBreaker({ clock, timers: clock });
 * clock.advance(30_000);
 * ```
 */
export class FakeClock implements Clock, TimerProvider {
  #now: number;
  #nextId = 1;
  #timers: ScheduledTimer[] = [];

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), callback });
    this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Number of timers scheduled and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own scheduled time. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves time to `target` (never backwards past a pending timer), firing due timers. */
  set(target: number): void {
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = target;
  }

  /**
   * Advances time like {@link FakeClock.advance}, letting pending promise callbacks and
   * `setImmediate` work run between timers ({@link settle}), so code that awaits between waits
   * progresses as it would for real.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

// Captured at import, before a test can install fake timers over it.
const realSetImmediate: ((callback: () => void) => unknown) | undefined = globalThis.setImmediate;

/**
 * Lets promise reactions AND work deferred to the next event-loop turn with `setImmediate`
 * (e.g. a store's group commit) run: `rounds` times, microtasks then one real macrotask turn.
 * On runtimes without `setImmediate` (edge) it only flushes microtasks.
 */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await flushMicrotasks();
    if (realSetImmediate) await new Promise<void>((resolve) => realSetImmediate(resolve));
  }
  await flushMicrotasks();
}

/** Lets queued promise reactions run (several rounds, for chained awaits). */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
