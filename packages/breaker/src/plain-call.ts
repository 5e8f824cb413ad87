import { neverAbortedSignal } from '@bulwark/core';
import type { OutcomeRecorder } from './outcome-recorder.js';

type Fn<T> = (signal: AbortSignal) => PromiseLike<T> | T;

/**
 * Runs calls that nothing can end early (no caller signal, no timeout): the breaker's hot
 * path. Untimed calls (no slow-call detection, count window) allocate no closure and read no
 * clock: every call admitted in one generation shares the same pair of promise reactions,
 * rebuilt only when the generation changes.
 * @internal
 */
export class PlainCallRunner {
  private generation = -1;
  private onFulfilled: ((value: unknown) => unknown) | undefined;
  private onRejected: ((error: unknown) => never) | undefined;

  constructor(private readonly recorder: OutcomeRecorder) {}

  /**
   * Same ticks as `async () => { try { return await fn(signal) } … }`: one reaction on the
   * function's promise, whose result settles the returned promise.
   */
  runUntimed<T>(fn: Fn<T>, generation: number): Promise<T> {
    if (generation !== this.generation) this.bind(generation);
    let pending: PromiseLike<T> | T;
    try {
      pending = fn(neverAbortedSignal());
    } catch (error) {
      this.recorder.error(error, generation, 0);
      return Promise.reject(error);
    }
    return Promise.resolve(pending).then(this.onFulfilled, this.onRejected) as Promise<T>;
  }

  /** Calls whose duration matters (slow-call detection or a time window), started at `start`. */
  async runTimed<T>(fn: Fn<T>, generation: number, start: number): Promise<T> {
    let result: T;
    try {
      result = await fn(neverAbortedSignal());
    } catch (error) {
      this.recorder.error(error, generation, start);
      throw error;
    }
    this.recorder.fulfilled(result, generation, start);
    return result;
  }

  private bind(generation: number): void {
    const recorder = this.recorder;
    this.generation = generation;
    // Chosen once per generation, so calls without `isFailureResult` pay nothing for it.
    this.onFulfilled =
      recorder.options.isFailureResult === undefined
        ? (value) => {
            recorder.success(generation, 0);
            return value;
          }
        : (value) => {
            recorder.fulfilled(value, generation, 0);
            return value;
          };
    this.onRejected = (error) => {
      recorder.error(error, generation, 0);
      throw error;
    };
  }
}
