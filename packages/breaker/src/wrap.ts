import { neverAbortedSignal, type TimerProvider } from '@bulwark/core';
import type { ExecuteOptions, Policy } from './policy.js';
import { createTimeout } from './timeout.js';

/** The layers {@link wrap} composes; each one is optional. */
export interface WrapOptions {
  /** Outermost: retries the whole attempt (e.g. `createRetry()` from `@bulwark/retry`). */
  retry?: Policy | undefined;
  /** Sees every attempt; short-circuits while open. */
  breaker?: Policy | undefined;
  /** Limits concurrent attempts; its `bulkhead_full` rejections are ignored by breakers. */
  bulkhead?: Policy | undefined;
  /** Innermost: bounds each attempt's run time (queue time excluded). */
  timeoutMs?: number | undefined;
  /** Timer source of the timeout layer. */
  timers?: TimerProvider | undefined;
}

/**
 * Composes policies in the documented order, outermost first:
 * **retry → breaker → bulkhead → timeout → fn**.
 *
 * - Retry outside the breaker: each attempt is one breaker call, and `circuit_open` stops
 *   the retries at once (retry never retries it).
 * - Bulkhead inside the breaker: an open breaker rejects before taking a slot, and a full
 *   bulkhead (`bulkhead_full`) is ignored by the breaker rather than counted as a failure.
 * - Timeout innermost: it bounds one attempt's run time, and its `call_timeout` counts as a
 *   failure in the breaker.
 *
 * The signal passed to `execute` reaches every layer and `fn`.
 *
 * @param options - The layers to compose; absent ones are skipped.
 * @example
 * ```ts
 * const policy = wrap({ retry: createRetry({ retries: 2 }), breaker, bulkhead, timeoutMs: 2_000 });
 * await policy.execute((signal) => fetch(url, { signal }), { signal: request.signal });
 * ```
 */
export function wrap(options: WrapOptions): Policy {
  const layers: Policy[] = [];
  if (options.retry) layers.push(options.retry);
  if (options.breaker) layers.push(options.breaker);
  if (options.bulkhead) layers.push(options.bulkhead);
  if (options.timeoutMs !== undefined) {
    layers.push(createTimeout({ timeoutMs: options.timeoutMs, timers: options.timers }));
  }
  return {
    execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, callOptions?: ExecuteOptions): Promise<T> {
      const run = (index: number, signal: AbortSignal | undefined): Promise<T> => {
        const layer = layers[index];
        if (layer === undefined) return new Promise<T>((resolve) => resolve(fn(signal ?? neverAbortedSignal())));
        return layer.execute((inner) => run(index + 1, inner), { signal });
      };
      const signal = callOptions?.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return run(0, signal);
    },
  };
}
