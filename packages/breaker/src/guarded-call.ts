import type { TimerHandle } from '@bulwark/core';
import { CallTimeoutError } from './errors/call-timeout-error.js';
import type { OutcomeRecorder } from './outcome-recorder.js';

/**
 * One call that may end early: on its timeout (a failure; the signal passed to `fn` is
 * aborted with `call_timeout`) or on the caller's abort (records nothing, releases the
 * permit). Whichever comes first wins; later outcomes are ignored. One object holds the
 * call's state; a call allocates only what it cannot share: its promise and reactions, and
 * only when needed an abort listener, a timer and an AbortController.
 * @internal
 */
class GuardedCall<T> {
  private done = false;
  private timer: TimerHandle | undefined;
  private readonly controller: AbortController | undefined;
  // A function, not a `handleEvent` object: Node wraps object listeners in an async closure.
  private onAbort: (() => void) | undefined;
  private resolve!: (value: T) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly recorder: OutcomeRecorder,
    private readonly generation: number,
    private readonly start: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.controller = recorder.options.timeoutMs === undefined ? undefined : new AbortController();
  }

  run(fn: (signal: AbortSignal) => PromiseLike<T> | T): Promise<T> {
    const result = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const callerSignal = this.callerSignal;
    if (callerSignal !== undefined) {
      this.onAbort = () => this.abortedByCaller(callerSignal.reason);
      callerSignal.addEventListener('abort', this.onAbort);
    }
    const { timeoutMs, timers } = this.recorder.options;
    // Not unref'd: a pending call is work its caller awaits (cleared as soon as it settles).
    if (timeoutMs !== undefined) this.timer = timers.setTimeout(() => this.expire(timeoutMs), timeoutMs);
    let pending: PromiseLike<T> | T;
    try {
      pending = fn(this.controller?.signal ?? (callerSignal as AbortSignal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (value) => this.fulfilled(value),
      (error: unknown) => this.rejected(error),
    );
    return result;
  }

  /** The caller's signal aborted: not the dependency's fault. */
  private abortedByCaller(reason: unknown): void {
    this.finish();
    this.controller?.abort(reason);
    this.recorder.release(this.generation);
    this.reject(reason);
  }

  private expire(timeoutMs: number): void {
    this.timer = undefined;
    this.finish();
    const error = new CallTimeoutError(timeoutMs, this.recorder.options.name);
    this.controller?.abort(error);
    this.recorder.failure(error, this.generation, this.start, true);
    this.reject(error);
  }

  private fulfilled(value: T): void {
    if (this.done) return; // timed out or aborted: the late result is ignored
    this.finish();
    this.recorder.fulfilled(value, this.generation, this.start);
    this.resolve(value);
  }

  private rejected(error: unknown): void {
    if (this.done) return;
    this.finish();
    this.recorder.error(error, this.generation, this.start);
    this.reject(error);
  }

  /** Ends the race: each of the timer, the abort listener and the reactions acts at most once. */
  private finish(): void {
    this.done = true;
    if (this.timer !== undefined) this.recorder.options.timers.clearTimeout(this.timer);
    if (this.onAbort !== undefined) (this.callerSignal as AbortSignal).removeEventListener('abort', this.onAbort);
  }
}

/**
 * Runs `fn` with the breaker's timeout and/or the caller's signal, recording its outcome
 * through `recorder`.
 * @internal
 */
export function runGuardedCall<T>(
  recorder: OutcomeRecorder,
  fn: (signal: AbortSignal) => PromiseLike<T> | T,
  generation: number,
  start: number,
  callerSignal: AbortSignal | undefined,
): Promise<T> {
  return new GuardedCall<T>(recorder, generation, start, callerSignal).run(fn);
}
