import type { TimerProvider } from '@bulwark/core';

/** The result of {@link raceTimeout}: the work's value, or that the timeout won. */
export type Raced<T> = { readonly timedOut: false; readonly value: T } | { readonly timedOut: true };

/**
 * Runs `work` with a signal that aborts after `timeoutMs`, and settles with whichever comes
 * first. A synchronous throw from `work` becomes a rejection. The timer is unref'd and cleared.
 */
export async function raceTimeout<T>(
  work: (signal: AbortSignal) => Promise<T> | T,
  timeoutMs: number,
  timers: TimerProvider,
  describe: () => string,
): Promise<Raced<T>> {
  const controller = new AbortController();
  let handle: unknown;
  const timeout = new Promise<Raced<T>>((resolve) => {
    handle = timers.setTimeout(
      () => {
        controller.abort(new Error(`${describe()} timed out after ${timeoutMs} ms`));
        resolve({ timedOut: true });
      },
      timeoutMs,
      { unref: true },
    );
  });
  try {
    const done = Promise.resolve()
      .then(() => work(controller.signal))
      .then((value): Raced<T> => ({ timedOut: false, value }));
    return await Promise.race([done, timeout]);
  } finally {
    timers.clearTimeout(handle);
  }
}
