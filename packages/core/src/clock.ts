/**
 * A source of the current time in milliseconds since the Unix epoch.
 *
 * Every Bulwark component that reads time takes a `clock` option instead of calling
 * `Date.now()`, so tests can drive time explicitly.
 *
 * @example
 * ```ts
 * const fixed: Clock = { now: () => 1_700_000_000_000 };
 * ```
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
}

/**
 * The wall clock. `Date.now` is looked up on every call (not captured at import time),
 * so fake timers installed after this module loads are still honoured.
 *
 * @example
 * ```ts
 * const started = systemClock.now();
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
});
