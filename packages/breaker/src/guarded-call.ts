import { neverAbortedSignal } from '@bulwark/core';
import type { DeadlineEntry, DeadlineQueue } from './deadline-queue.js';
import { CallTimeoutError } from './errors/call-timeout-error.js';
import type { OutcomeRecorder } from './outcome-recorder.js';

type Fn<T> = (signal: AbortSignal) => PromiseLike<T> | T;

let capturedResolve: (value: never) => void;
let capturedReject: (error: unknown) => void;
/** One executor for every call's promise: captures its resolving functions without a closure per call. */
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * One call that may end early: on its timeout (a failure; the signal passed to `fn` is
 * aborted with `call_timeout`) or on the caller's abort (records nothing, releases the
 * permit). Whichever comes first wins; later outcomes are ignored. One object holds the
 * call's state; a call allocates only what it cannot share: its promise and reactions, and
 * only when needed an abort listener and an AbortController.
 *
 * The controller exists only for a timed call whose `fn` declares the signal parameter
 * (`fn.length > 0`): a function declared without parameters cannot name the signal, so it
 * gets the caller's signal (or the shared never-aborting one) and the call costs no
 * AbortSignal, the most expensive object on this path. A signal that can be aborted is always
 * the call's own: a signal shared between calls would abort work a settled call left running,
 * e.g. a response body still streaming. Timeouts share the breaker's {@link DeadlineQueue}: no
 * timer per call.
 * @internal
 */
class GuardedCall<T> implements DeadlineEntry {
  private done = false;
  private controller: AbortController | undefined;
  // A function, not a `handleEvent` object: Node wraps object listeners in an async closure.
  private onAbort: (() => void) | undefined;
  private resolve!: (value: T) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly recorder: OutcomeRecorder,
    private readonly generation: number,
    private readonly start: number,
    private readonly callerSignal: AbortSignal | undefined,
    private readonly deadlines: DeadlineQueue | undefined,
    readonly deadline: number,
  ) {}

  get settled(): boolean {
    return this.done;
  }

  run(fn: Fn<T>): Promise<T> {
    const result = new Promise<T>(capture);
    this.resolve = capturedResolve as (value: T) => void;
    this.reject = capturedReject;
    const callerSignal = this.callerSignal;
    if (callerSignal !== undefined) {
      this.onAbort = () => this.abortedByCaller(callerSignal.reason);
      callerSignal.addEventListener('abort', this.onAbort);
    }
    this.deadlines?.add(this);
    let pending: PromiseLike<T> | T;
    try {
      pending = fn(this.signalFor(fn));
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (value) => this.fulfilled(value),
      (error: unknown) => this.rejected(error),
    );
    return result;
  }

  /**
   * The call's own signal if it has a deadline and `fn` declares the parameter; otherwise the
   * caller's signal or the shared never-aborting one. Called inside `run`'s `try`: a `length`
   * that throws (a hostile Proxy) is the call's failure, like a synchronous throw from `fn`.
   */
  private signalFor(fn: Fn<T>): AbortSignal {
    if (this.deadlines !== undefined && fn.length > 0) {
      this.controller = new AbortController();
      return this.controller.signal;
    }
    return this.callerSignal ?? neverAbortedSignal();
  }

  /** The caller's signal aborted: not the dependency's fault. */
  private abortedByCaller(reason: unknown): void {
    this.finish();
    this.controller?.abort(reason);
    this.recorder.release(this.generation);
    this.reject(reason);
  }

  /** Called by the deadline queue (which already removed this call) when the deadline passed. */
  expire(): void {
    this.done = true;
    this.removeAbortListener();
    const timeoutMs = this.recorder.options.timeoutMs as number;
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

  /** Ends the race: each of the deadline, the abort listener and the reactions acts at most once. */
  private finish(): void {
    this.done = true;
    this.deadlines?.settled();
    this.removeAbortListener();
  }

  private removeAbortListener(): void {
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
  fn: Fn<T>,
  generation: number,
  start: number,
  callerSignal: AbortSignal | undefined,
  deadlines: DeadlineQueue | undefined,
  deadline: number,
): Promise<T> {
  return new GuardedCall<T>(recorder, generation, start, callerSignal, deadlines, deadline).run(fn);
}
