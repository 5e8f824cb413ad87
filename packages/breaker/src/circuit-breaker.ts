import type { TimerHandle } from '@bulwark/core';
import type { BreakerEventMap, OpenEvent, StateChangeEvent } from './breaker-events.js';
import { type CircuitBreakerOptions, type ResolvedBreakerOptions, resolveBreakerOptions } from './breaker-options.js';
import { type BreakerSnapshot, takeSnapshot } from './breaker-snapshot.js';
import { CountWindow } from './count-window.js';
import { DeadlineQueue } from './deadline-queue.js';
import { BrokenCircuitError, type RejectionReason } from './errors/broken-circuit-error.js';
import { EventHub } from './event-hub.js';
import { runGuardedCall } from './guarded-call.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { PlainCallRunner } from './plain-call.js';
import type { ExecuteOptions, Policy } from './policy.js';
import { BreakerStateMachine, type CircuitState, REJECTED } from './state-machine.js';
import { TimeWindow } from './time-window.js';
import type { TripDetails } from './trip-details.js';

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
  // Both created on first use, so idle breakers stay small.
  private recorder: OutcomeRecorder | undefined;
  private plain: PlainCallRunner | undefined;
  /** The timeouts of calls in flight, on one timer (created on the first call with `timeoutMs`). */
  private deadlines: DeadlineQueue | undefined;
  private autoTimer: TimerHandle | undefined;

  constructor(private readonly options: ResolvedBreakerOptions) {
    this.name = options.name;
    const { window } = options;
    const slidingWindow =
      window.type === 'count' ? new CountWindow(window.size) : new TimeWindow(window.sizeMs, window.bucketMs as number);
    this.machine = new BreakerStateMachine(options, slidingWindow, options.clock, (from, to, at, trip) =>
      this.onTransition(from, to, at, trip),
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
    const { timed, timeoutMs, clock } = this.options;
    // Read the clock only when something needs durations or bucket times (see `timed`).
    if (signal === undefined && timeoutMs === undefined) {
      this.plain ??= new PlainCallRunner(this.outcomes());
      return timed ? this.plain.runTimed(fn, generation, clock.now()) : this.plain.runUntimed(fn, generation);
    }
    if (timeoutMs === undefined) {
      return runGuardedCall(this.outcomes(), fn, generation, timed ? clock.now() : 0, signal, undefined, 0);
    }
    const now = clock.now();
    this.deadlines ??= new DeadlineQueue(clock, this.options.timers, timeoutMs);
    return runGuardedCall(this.outcomes(), fn, generation, timed ? now : 0, signal, this.deadlines, now + timeoutMs);
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

  private outcomes(): OutcomeRecorder {
    this.recorder ??= new OutcomeRecorder(this.machine, this.options, this.events);
    return this.recorder;
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

  private onTransition(from: CircuitState, to: CircuitState, at: number, trip: TripDetails | undefined): void {
    this.clearAutoTimer();
    if (to === 'open' && this.options.autoHalfOpen) {
      this.autoTimer = this.options.timers.setTimeout(
        () => {
          this.autoTimer = undefined;
          this.machine.current();
        },
        this.machine.openWait,
        { unref: true },
      );
    }
    if (to === 'open') this.metric(from === 'half_open' ? 'breaker.reopen' : 'breaker.open');
    else if (to === 'half_open' || to === 'closed') this.metric(TRANSITION_METRICS[to]);
    const event: StateChangeEvent = Object.freeze(
      trip === undefined ? { breaker: this.name, from, to, at } : { breaker: this.name, from, to, at, trip },
    );
    this.events.emit('state_change', event);
    if (to === 'open') this.events.emit('open', event as OpenEvent);
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
