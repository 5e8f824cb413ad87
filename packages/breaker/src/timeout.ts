import { assertNumberOption, linkSignals, systemTimers, type TimerProvider } from '@bulwark/core';
import { CallTimeoutError } from './errors/call-timeout-error.js';
import type { ExecuteOptions, Policy } from './policy.js';

/** Options of {@link createTimeout}. */
export interface TimeoutOptions {
  /** Milliseconds a call may take. */
  timeoutMs: number;
  /** Timer source. Default: global timers, looked up lazily. */
  timers?: TimerProvider | undefined;
}

/**
 * Creates a timeout policy: a call that has not settled after `timeoutMs` rejects with
 * `call_timeout`, its signal is aborted with that error, and its late result is ignored.
 * A caller abort rejects at once with the caller's reason.
 *
 * @param options - `timeoutMs` and `timers`.
 * @throws {TypeError | RangeError} when `timeoutMs` is invalid.
 * @throws {call_timeout} (as a rejection of `execute`) when the time is up.
 * @example
 * ```ts
 * const timeout = createTimeout({ timeoutMs: 2_000 });
 * await timeout.execute((signal) => fetch(url, { signal }));
 * ```
 */
export function createTimeout(options: TimeoutOptions): Policy {
  const { timeoutMs } = options;
  assertNumberOption('timeoutMs', timeoutMs, { min: 0, minExclusive: true });
  const timers = options.timers ?? systemTimers;
  return {
    execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, callOptions?: ExecuteOptions): Promise<T> {
      const callerSignal = callOptions?.signal;
      if (callerSignal?.aborted) return Promise.reject(callerSignal.reason);
      const timeoutController = new AbortController();
      const linked = linkSignals([callerSignal, timeoutController.signal]);
      return new Promise<T>((resolve, reject) => {
        // Not unref'd: the pending call is work its caller awaits; the timer is cleared on settle.
        const timer = timers.setTimeout(() => timeoutController.abort(new CallTimeoutError(timeoutMs)), timeoutMs);
        const settle = (): void => {
          timers.clearTimeout(timer);
          linked.dispose();
          linked.signal.removeEventListener('abort', onAbort);
        };
        const onAbort = (): void => {
          settle();
          reject(linked.signal.reason);
        };
        linked.signal.addEventListener('abort', onAbort, { once: true });
        new Promise<T>((run) => run(fn(linked.signal))).then(
          (value) => {
            settle();
            resolve(value);
          },
          (error: unknown) => {
            settle();
            reject(error);
          },
        );
      });
    },
  };
}
