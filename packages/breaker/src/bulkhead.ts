import { assertNumberOption, neverAbortedSignal } from '@bulwark/core';
import { BulkheadFullError } from './errors/bulkhead-full-error.js';
import type { ExecuteOptions, Policy } from './policy.js';

/** Options of {@link createBulkhead}. */
export interface BulkheadOptions {
  /** Calls allowed to run at once. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot (FIFO). Default `0`: reject as soon as all slots are busy. */
  maxQueue?: number | undefined;
}

/** A concurrency limiter, created by {@link createBulkhead}. */
export interface Bulkhead extends Policy {
  /** Calls running now. */
  readonly running: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
}

interface Waiter {
  readonly start: () => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

class BulkheadImpl implements Bulkhead {
  running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueue: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, options?: ExecuteOptions): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.running < this.maxConcurrent) return this.run(fn, signal);
    if (this.waiting.length >= this.maxQueue) {
      return Promise.reject(new BulkheadFullError(this.maxConcurrent, this.maxQueue));
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        signal,
        start: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          this.run(fn, signal).then(resolve, reject);
        },
        onAbort: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private async run<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, signal: AbortSignal | undefined): Promise<T> {
    this.running += 1;
    try {
      return await fn(signal ?? neverAbortedSignal());
    } finally {
      this.running -= 1;
      this.waiting.shift()?.start();
    }
  }
}

/**
 * Creates a bulkhead: at most `maxConcurrent` calls run at once, at most `maxQueue` wait in
 * FIFO order, and the rest are rejected immediately with `bulkhead_full` (never run). A
 * queued call whose signal aborts leaves the queue and rejects with the signal's reason.
 *
 * @param options - `maxConcurrent` and `maxQueue`.
 * @throws {TypeError | RangeError} naming the option, when an option is invalid.
 * @throws {bulkhead_full} (as a rejection of `execute`) when slots and queue are full.
 * @example
 * ```ts
 * const bulkhead = createBulkhead({ maxConcurrent: 10, maxQueue: 100 });
 * await bulkhead.execute((signal) => fetch(url, { signal }));
 * ```
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  assertNumberOption('maxConcurrent', options.maxConcurrent, { min: 1, integer: true });
  const maxQueue = options.maxQueue ?? 0;
  assertNumberOption('maxQueue', maxQueue, { min: 0, integer: true });
  return new BulkheadImpl(options.maxConcurrent, maxQueue);
}
