import { systemTimers, type TimerProvider } from './timers.js';

/** Options for {@link delay}. */
export interface DelayOptions {
  /** Rejects the wait with `signal.reason` when aborted. */
  signal?: AbortSignal | undefined;
  /** Timer source; defaults to {@link systemTimers}. */
  timers?: TimerProvider | undefined;
  /** Do not keep a Node.js process alive while waiting. */
  unref?: boolean | undefined;
}

/**
 * Waits `ms` milliseconds. Rejects with `signal.reason` if the signal aborts first, and
 * removes its abort listener when the wait settles either way (no listener leak when one
 * signal is shared by many waits).
 *
 * @param ms - Milliseconds to wait; negative or non-finite values wait 0 ms.
 * @param options - Signal and timer source.
 * @throws The signal's `reason` when aborted before or during the wait.
 * @example
 * ```ts
 * await delay(250, { signal: AbortSignal.timeout(1_000) });
 * ```
 */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  const { signal, timers = systemTimers, unref = false } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const wait = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = timers.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      wait,
      { unref },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
