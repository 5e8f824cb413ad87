import type { TimerHandle } from '@bulwark/core';
import type { BreakerEventMap, StateChangeEvent } from './breaker-events.js';
import { type CircuitBreakerOptions, type ResolvedBreakerOptions, resolveBreakerOptions } from './breaker-options.js';
import { type BreakerSnapshot, takeSnapshot } from './breaker-snapshot.js';
import { CountWindow } from './count-window.js';
import { BrokenCircuitError, type RejectionReason } from './errors/broken-circuit-error.js';
import { CallTimeoutError } from './errors/call-timeout-error.js';
import { EventHub } from './event-hub.js';
import { neverAbortedSignal } from './never-aborted-signal.js';
import type { ExecuteOptions, Policy } from './policy.js';
import { OUTCOME_FAILURE, OUTCOME_SLOW } from './sliding-window.js';
import { BreakerStateMachine, type CircuitState, REJECTED } from './state-machine.js';
import { TimeWindow } from './time-window.js';

/** A circuit breaker, created by {@link createCircuitBreaker}. */
export interface CircuitBreaker extends Policy {
  /** The breaker's name. */
  readonly name: string;
  /** The current state (clock-driven transitions are applied when read). */
  readonly state: CircuitState;
  /** A frozen, JSON-ready view of the state, window and thresholds. */
  snapshot(): BreakerSnapshot;
  /** Same as {@link CircuitBreaker.snapshot}, so `JSON.stringify(breaker)` works. */
  toJSON(): BreakerSnapshot;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof BreakerEventMap>(event: K, listener: (event: BreakerEventMap[K]) => void): () => void;
  /** Rejects every call with `circuit_open` until {@link CircuitBreaker.reset}. */
  forceOpen(): void;
  /** Lets every call through, recording nothing, until {@link CircuitBreaker.reset}. */
  disable(): void;
  /** Back to CLOSED with empty counters; results of earlier calls are ignored. */
  reset(): void;
  /** Clears the auto-transition timer and removes every listener. */
  dispose(): void;
}

const TRANSITION_METRICS = {
  open: 'breaker.open',
  half_open: 'breaker.half_open',
  closed: 'breaker.close',
} as const;

class CircuitBreakerImpl implements CircuitBreaker {
  readonly name: string;
  private readonly machine: BreakerStateMachine;
  private readonly events = new EventHub<BreakerEventMap>();
  private autoTimer: TimerHandle | undefined;

  constructor(private readonly options: ResolvedBreakerOptions) {
    this.name = options.name;
    const { window } = options;
    const slidingWindow =
      window.type === 'count' ? new CountWindow(window.size) : new TimeWindow(window.sizeMs, window.bucketMs as number);
    this.machine = new BreakerStateMachine(options, slidingWindow, options.clock, (from, to, at) =>
      this.onTransition(from, to, at),
    );
  }

  get state(): CircuitState {
    return this.machine.current();
  }

  execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, options?: ExecuteOptions): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const generation = this.machine.tryAcquire();
    if (generation === REJECTED) return Promise.reject(this.reject());
    // Read the clock only when something needs durations or bucket times (see `timed`).
    const start = this.options.timed ? this.options.clock.now() : 0;
    if (signal === undefined && this.options.timeoutMs === undefined) return this.runPlain(fn, generation, start);
    return this.runGuarded(fn, generation, start, signal);
  }

  snapshot(): BreakerSnapshot {
    const now = this.options.clock.now();
    this.machine.current(now);
    return takeSnapshot(this.machine, this.options, now);
  }

  toJSON(): BreakerSnapshot {
    return this.snapshot();
  }

  on<K extends keyof BreakerEventMap>(event: K, listener: (event: BreakerEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  forceOpen(): void {
    this.machine.transition('forced_open', this.options.clock.now());
  }

  disable(): void {
    this.machine.transition('disabled', this.options.clock.now());
  }

  reset(): void {
    this.machine.transition('closed', this.options.clock.now());
  }

  dispose(): void {
    this.clearAutoTimer();
    this.events.clear();
  }

  /** The fast path: no caller signal, no timeout, so nothing can end the call early. */
  private async runPlain<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, generation: number, start: number) {
    let result: T;
    try {
      result = await fn(neverAbortedSignal());
    } catch (error) {
      this.settleError(error, generation, start);
      throw error;
    }
    this.settleSuccess(generation, start);
    return result;
  }

  private runGuarded<T>(
    fn: (signal: AbortSignal) => PromiseLike<T> | T,
    generation: number,
    start: number,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const { timeoutMs, timers } = this.options;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: TimerHandle | undefined;
      const controller = timeoutMs === undefined ? undefined : new AbortController();
      const finish = (): void => {
        done = true;
        if (timer !== undefined) timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      // finish() removes this listener and clears the timer, so each fires at most once, first.
      const onAbort = (): void => {
        finish();
        controller?.abort(signal?.reason);
        // Caller gave up: not the dependency's fault. Release the permit, record nothing.
        this.machine.release(generation);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (controller !== undefined && timeoutMs !== undefined) {
        timer = timers.setTimeout(
          () => {
            finish();
            const error = new CallTimeoutError(timeoutMs, this.name);
            controller.abort(error);
            this.settleFailure(error, generation, start, true);
            reject(error);
          },
          // Not unref'd: a pending call is work its caller awaits (cleared as soon as it settles).
          timeoutMs,
        );
      }
      let pending: PromiseLike<T> | T;
      try {
        pending = fn(controller?.signal ?? (signal as AbortSignal));
      } catch (error) {
        pending = Promise.reject(error);
      }
      Promise.resolve(pending).then(
        (value) => {
          if (done) return; // timed out or aborted: the late result is ignored
          finish();
          this.settleSuccess(generation, start);
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          finish();
          this.settleError(error, generation, start);
          reject(error);
        },
      );
    });
  }

  private settleSuccess(generation: number, start: number): void {
    const { timed, slowCallDurationMs } = this.options;
    if (!timed) {
      this.machine.record(generation, 0);
      if (this.events.has('success')) {
        this.events.emit('success', Object.freeze({ breaker: this.name, durationMs: undefined, slow: false }));
      }
      return;
    }
    const now = this.options.clock.now();
    const durationMs = now - start;
    const slow = slowCallDurationMs !== undefined && durationMs >= slowCallDurationMs;
    this.machine.record(generation, slow ? OUTCOME_SLOW : 0, now);
    if (this.events.has('success')) {
      this.events.emit('success', Object.freeze({ breaker: this.name, durationMs, slow }));
    }
  }

  private settleError(error: unknown, generation: number, start: number): void {
    const { isIgnored, isFailure } = this.options;
    let ignored: boolean;
    let failure: boolean;
    try {
      ignored = isIgnored(error);
      failure = !ignored && isFailure(error);
    } catch {
      // A throwing classifier must not lose the permit: count the call as a failure.
      ignored = false;
      failure = true;
    }
    if (ignored) {
      this.machine.release(generation);
      if (this.events.has('ignored')) this.events.emit('ignored', Object.freeze({ breaker: this.name, error }));
    } else if (failure) {
      this.settleFailure(error, generation, start, false);
    } else {
      this.settleSuccess(generation, start);
    }
  }

  private settleFailure(error: unknown, generation: number, start: number, timeout: boolean): void {
    const { timed, slowCallDurationMs, timeoutMs } = this.options;
    const now = timed ? this.options.clock.now() : undefined;
    const durationMs = timeout ? timeoutMs : now === undefined ? undefined : now - start;
    const slow =
      timeout || (slowCallDurationMs !== undefined && durationMs !== undefined && durationMs >= slowCallDurationMs);
    this.machine.record(generation, OUTCOME_FAILURE | (slow ? OUTCOME_SLOW : 0), now);
    if (this.events.has('failure')) {
      this.events.emit('failure', Object.freeze({ breaker: this.name, error, durationMs, slow, timeout }));
    }
  }

  private reject(): BrokenCircuitError {
    const now = this.options.clock.now();
    const state = this.machine.state;
    const reason: RejectionReason =
      state === 'forced_open' ? 'forced_open' : state === 'half_open' ? 'half_open_full' : 'open';
    const retryAfterMs = this.machine.retryAfterMs(now);
    this.metric('breaker.rejections');
    if (this.events.has('rejected')) {
      this.events.emit('rejected', Object.freeze({ breaker: this.name, reason, retryAfterMs }));
    }
    return new BrokenCircuitError({ breaker: this.name, reason, retryAfterMs });
  }

  private onTransition(from: CircuitState, to: CircuitState, at: number): void {
    this.clearAutoTimer();
    if (to === 'open' && this.options.autoHalfOpen) {
      this.autoTimer = this.options.timers.setTimeout(
        () => {
          this.autoTimer = undefined;
          this.machine.current();
        },
        this.options.openWaitMs,
        { unref: true },
      );
    }
    if (to === 'open') this.metric(from === 'half_open' ? 'breaker.reopen' : 'breaker.open');
    else if (to === 'half_open' || to === 'closed') this.metric(TRANSITION_METRICS[to]);
    const event: StateChangeEvent = Object.freeze({ breaker: this.name, from, to, at });
    this.events.emit('state_change', event);
    if (to === 'open') this.events.emit('open', event);
    else if (to === 'half_open') this.events.emit('half_open', event);
    else if (to === 'closed') this.events.emit('close', event);
  }

  private metric(name: Parameters<NonNullable<ResolvedBreakerOptions['onMetric']>>[0]): void {
    const hook = this.options.onMetric;
    if (hook === undefined) return;
    try {
      hook(name, this.name);
    } catch {
      // Metrics are observers: a broken exporter must not break the calls it observes.
    }
  }

  private clearAutoTimer(): void {
    if (this.autoTimer === undefined) return;
    this.options.timers.clearTimeout(this.autoTimer);
    this.autoTimer = undefined;
  }
}

/**
 * Creates a circuit breaker with resilience4j semantics: a count- or time-based sliding
 * window, failure- and slow-call-rate thresholds after `minimumCalls`, exact half-open
 * permits, generation-guarded results, per-call timeouts and caller aborts that are not
 * failures. No timer runs per breaker unless `autoHalfOpen` is set.
 *
 * @param options - Thresholds, window, timeout, classifiers, hooks, clock and timers.
 * @throws {TypeError | RangeError} naming the option, when an option is invalid.
 * @throws {circuit_open} (as a rejection of `execute`) with `retryAfterMs`, when the call is refused.
 * @throws {call_timeout} (as a rejection of `execute`) when `timeoutMs` elapses first.
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ name: 'payments', timeoutMs: 2_000 });
 * const charge = await breaker.execute((signal) => fetch(url, { signal }));
 * ```
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreakerImpl(resolveBreakerOptions(options));
}
