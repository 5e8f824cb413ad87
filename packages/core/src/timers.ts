/** An opaque handle returned by {@link TimerProvider.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Schedules callbacks. Injected wherever a component waits, so tests can replace it
 * with a fake and advance time without sleeping.
 *
 * @example
 * ```ts
 * const handle = systemTimers.setTimeout(() => console.log('tick'), 1000, { unref: true });
 * systemTimers.clearTimeout(handle);
 * ```
 */
export interface TimerProvider {
  /**
   * Runs `callback` once after `ms` milliseconds.
   * With `unref: true` the timer does not keep a Node.js process alive.
   */
  setTimeout(callback: () => void, ms: number, options?: { unref?: boolean }): TimerHandle;
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

interface Unrefable {
  unref(): void;
}

function isUnrefable(value: unknown): value is Unrefable {
  return typeof value === 'object' && value !== null && typeof (value as Unrefable).unref === 'function';
}

/**
 * Timers backed by the global `setTimeout`/`clearTimeout`.
 *
 * The globals are looked up lazily on each call: capturing them at import time would
 * bypass fake timers (e.g. `vi.useFakeTimers()`) installed later.
 *
 * @example
 * ```ts
 * systemTimers.setTimeout(() => flush(), 5_000, { unref: true });
 * ```
 */
export const systemTimers: TimerProvider = Object.freeze({
  setTimeout(callback: () => void, ms: number, options?: { unref?: boolean }): TimerHandle {
    const handle: unknown = setTimeout(callback, ms);
    if (options?.unref && isUnrefable(handle)) handle.unref();
    return handle;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
});
