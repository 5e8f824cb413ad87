import type { Clock } from '@bulwark/core';
import { OUTCOME_FAILURE, OUTCOME_SLOW, type SlidingWindow } from './sliding-window.js';

/**
 * Breaker states. `forced_open` and `disabled` are entered only by `forceOpen()` and
 * `disable()` and left only by `reset()`.
 */
export type CircuitState = 'closed' | 'open' | 'half_open' | 'forced_open' | 'disabled';

/** The thresholds the state machine decides with (validated by the facade). @internal */
export interface MachineConfig {
  readonly failureRateThreshold: number;
  readonly slowCallRateThreshold: number;
  readonly minimumCalls: number;
  readonly openWaitMs: number;
  readonly halfOpenPermits: number;
  readonly maxHalfOpenWaitMs: number;
}

/** Called synchronously after every state change. @internal */
export type TransitionListener = (from: CircuitState, to: CircuitState, at: number) => void;

/** Returned by {@link BreakerStateMachine.tryAcquire} when a call is refused. @internal */
export const REJECTED = -1;

/**
 * The breaker's decisions, with no I/O, no timers and no promises: admission, outcome
 * recording and transitions. Every transition bumps `generation`; outcomes carry the
 * generation they were admitted in and are dropped when it is stale, so a late result never
 * drives the new state. Time-driven transitions (OPEN → HALF_OPEN after `openWaitMs`,
 * HALF_OPEN → OPEN after `maxHalfOpenWaitMs`) are computed lazily from the clock.
 * @internal Exposed to the facade only; the public surface is `createCircuitBreaker`.
 */
export class BreakerStateMachine {
  state: CircuitState = 'closed';
  generation = 0;
  /** When the current state was entered (epoch ms). */
  since: number;
  /** HALF_OPEN: permits handed out (settled ones included, released ones not). */
  trialsIssued = 0;
  /** HALF_OPEN: trial outcomes recorded. */
  trialsSettled = 0;
  trialFailures = 0;
  trialSlow = 0;

  constructor(
    readonly config: MachineConfig,
    readonly window: SlidingWindow,
    private readonly clock: Clock,
    private readonly onTransition: TransitionListener,
  ) {
    this.since = clock.now();
  }

  /** Applies due clock-driven transitions and returns the state. */
  current(now: number = this.clock.now()): CircuitState {
    if (this.state === 'open') {
      if (now >= this.since + this.config.openWaitMs) this.transition('half_open', now);
    } else if (this.state === 'half_open' && now >= this.since + this.config.maxHalfOpenWaitMs) {
      // A trial that never settles must not pin HALF_OPEN: give up on this round of trials.
      this.transition('open', now);
    }
    return this.state;
  }

  /** Admits a call: its generation, or {@link REJECTED}. */
  tryAcquire(): number {
    const state = this.state;
    if (state === 'closed' || state === 'disabled') return this.generation;
    const current = this.current();
    if (current === 'half_open') {
      if (this.trialsIssued >= this.config.halfOpenPermits) return REJECTED;
      this.trialsIssued += 1;
      return this.generation;
    }
    // A transition listener may have reset or disabled the breaker meanwhile.
    return current === 'closed' || current === 'disabled' ? this.generation : REJECTED;
  }

  /** How long until calls may be admitted again, for a rejection at `now`. */
  retryAfterMs(now: number): number {
    if (this.state === 'open') return Math.max(0, this.since + this.config.openWaitMs - now);
    if (this.state === 'half_open') return Math.max(0, this.since + this.config.maxHalfOpenWaitMs - now);
    return this.config.openWaitMs;
  }

  /**
   * Records the outcome of a call admitted in `generation`; stale generations are ignored.
   * `now` may be omitted when the window does not need it (count windows): the clock is then
   * read only if a transition happens.
   */
  record(generation: number, outcome: number, now?: number): void {
    if (generation !== this.generation) return;
    const { config } = this;
    if (this.state === 'closed') {
      const at = now ?? 0;
      this.window.record(outcome, at);
      const totals = this.window.read(at);
      if (
        totals.calls >= config.minimumCalls &&
        (totals.failures * 100 >= config.failureRateThreshold * totals.calls ||
          totals.slow * 100 >= config.slowCallRateThreshold * totals.calls)
      ) {
        this.transition('open', now ?? this.clock.now());
      }
    } else if (this.state === 'half_open') {
      this.trialsSettled += 1;
      if (outcome & OUTCOME_FAILURE) this.trialFailures += 1;
      if (outcome & OUTCOME_SLOW) this.trialSlow += 1;
      const settled = this.trialsSettled;
      if (settled < config.halfOpenPermits) return;
      const tripped =
        this.trialFailures * 100 >= config.failureRateThreshold * settled ||
        this.trialSlow * 100 >= config.slowCallRateThreshold * settled;
      this.transition(tripped ? 'open' : 'closed', now ?? this.clock.now());
    }
    // Calls admitted while disabled are not recorded.
  }

  /** Gives back a HALF_OPEN permit of a call that ended without an outcome (ignored, aborted). */
  release(generation: number): void {
    if (generation === this.generation && this.state === 'half_open') this.trialsIssued -= 1;
  }

  /**
   * Moves to `to`: bumps the generation and resets every counter, even when `to` is the
   * current state; listeners hear only real changes.
   */
  transition(to: CircuitState, now: number): void {
    const from = this.state;
    this.state = to;
    this.generation += 1;
    this.since = now;
    this.window.reset();
    this.trialsIssued = 0;
    this.trialsSettled = 0;
    this.trialFailures = 0;
    this.trialSlow = 0;
    if (from !== to) this.onTransition(from, to, now);
  }
}
