/** How a delay is spread: `full` in [0, cap], `equal` in [cap/2, cap], `none` exactly cap. */
export type Jitter = 'full' | 'equal' | 'none';

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Base delay: the cap of the first retry. */
  readonly minDelayMs: number;
  /** Upper bound of every cap. */
  readonly maxDelayMs: number;
  /** Spread of the delay inside the cap. */
  readonly jitter: Jitter;
  /** Uniform source in [0, 1). Default `Math.random`. */
  readonly random?: (() => number) | undefined;
}

/**
 * The delay before retry number `retryIndex` (0 for the first retry), with exponential
 * backoff capped at `maxDelayMs`: `cap = min(maxDelayMs, minDelayMs * 2^retryIndex)`, then
 * jittered ("Exponential Backoff And Jitter", AWS Architecture Blog). Always in [0, cap].
 *
 * @param retryIndex - 0 for the first retry.
 * @param options - Base, cap, jitter and random source.
 * @example
 * ```ts
 * backoffDelay(3, { minDelayMs: 100, maxDelayMs: 10_000, jitter: 'full' }); // in [0, 800]
 * ```
 */
export function backoffDelay(retryIndex: number, options: BackoffOptions): number {
  const cap = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** Math.max(0, retryIndex));
  if (options.jitter === 'none') return cap;
  const unit = clampUnit((options.random ?? Math.random)());
  return options.jitter === 'equal' ? cap / 2 + (unit * cap) / 2 : unit * cap;
}

/** Keeps a user-supplied random source inside [0, 1] so delays stay inside [0, cap]. */
function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
