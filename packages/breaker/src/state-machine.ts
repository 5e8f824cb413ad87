import type { Clock } from '@bulwark/core';
import { OUTCOME_FAILURE, OUTCOME_SLOW, type SlidingWindow } from './sliding-window.js';
import { type TripDetails, tripDetails } from './trip-details.js';

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
  readonly openWaitMultiplier: number;
  readonly maxOpenWaitMs: number;
  readonly halfOpenPermits: number;
  readonly maxHalfOpenWaitMs: number;
}

/** Called synchronously after every state change; `trip` is set for transitions to `open`. @internal */
export type TransitionListener = (
  from: CircuitState,
  to: CircuitState,
  at: number,
  trip: TripDetails | undefined,
) => void;

/**
 * The retry hint of a call rejected in HALF_OPEN: the decision comes as soon as the trials
 * settle, which cannot be predicted, so callers are told to recheck soon (or at the half-open
 * deadline, when that is sooner), not to wait for the deadline.
 */
export const HALF_OPEN_RETRY_HINT_MS = 1_000;

/** Returned by {@link BreakerStateMachine.tryAcquire} when a call is refused. @internal */
export const REJECTED = -1;

/**
 * The breaker's decisions, with no I/O, no timers and no promises: admission, outcome
 * recording and transitions. Every transition bumps `generation`; outcomes carry the
 * generation they were admitted in and are dropped when it is stale, so a late result never
 * drives the new state. Time-driven transitions (OPEN → HALF_OPEN after the open wait, the
 * half-open decision at `maxHalfOpenWaitMs`) are computed lazily from the clock.
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
  /** OPEN: how long this OPEN lasts (`openWaitMs`, grown by consecutive reopens). */
  openWait: number;
  /** Consecutive HALF_OPEN → OPEN transitions since the breaker was last closed. */
  reopens = 0;
  /** HALF_OPEN: when the breaker decides on the trials it has (epoch ms). */
  halfOpenDeadline = 0;
  /** Why the breaker last opened; cleared when it closes. */
  lastTrip: TripDetails | null = null;

  constructor(
    readonly config: MachineConfig,
    readonly window: SlidingWindow,
    private readonly clock: Clock,
    private readonly onTransition: TransitionListener,
  ) {
    this.since = clock.now();
    this.openWait = config.openWaitMs;
  }

  /** Applies due clock-driven transitions and returns the state. */
  current(now: number = this.clock.now()): CircuitState {
    if (this.state === 'open') {
      if (now >= this.since + this.openWait) this.transition('half_open', now);
    } else if (this.state === 'half_open' && now >= this.halfOpenDeadline) {
      this.halfOpenDeadlineReached(now);
    }
    return this.state;
  }

  /**
   * `maxHalfOpenWaitMs` after entering HALF_OPEN, decide on the trials that settled (a rarely
   * called dependency may never complete all permits). With none settled, trials still in
   * flight mean the dependency hangs: reopen. With no trial admitted at all there is no
   * evidence either way: wait for the next trial.
   */
  private halfOpenDeadlineReached(now: number): void {
    if (this.trialsSettled > 0) this.decideOnTrials(now);
    else if (this.trialsIssued > 0) {
      this.transition('open', now, tripDetails('half_open_timeout', 'half_open_trials', 0, 0, 0, this.config));
    } else this.halfOpenDeadline = now + this.config.maxHalfOpenWaitMs;
  }

  private decideOnTrials(now: number): void {
    const { config, trialsSettled: settled, trialFailures: failures, trialSlow: slow } = this;
    if (failures * 100 >= config.failureRateThreshold * settled) {
      this.transition('open', now, tripDetails('failure_rate', 'half_open_trials', settled, failures, slow, config));
    } else if (slow * 100 >= config.slowCallRateThreshold * settled) {
      this.transition('open', now, tripDetails('slow_call_rate', 'half_open_trials', settled, failures, slow, config));
    } else this.transition('closed', now);
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
    if (this.state === 'open') return Math.max(0, this.since + this.openWait - now);
    if (this.state === 'half_open') return Math.min(HALF_OPEN_RETRY_HINT_MS, Math.max(0, this.halfOpenDeadline - now));
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
      const { calls, failures, slow } = this.window.read(at);
      if (calls < config.minimumCalls) return;
      if (failures * 100 >= config.failureRateThreshold * calls) {
        this.transition(
          'open',
          now ?? this.clock.now(),
          tripDetails('failure_rate', 'window', calls, failures, slow, config),
        );
      } else if (slow * 100 >= config.slowCallRateThreshold * calls) {
        this.transition(
          'open',
          now ?? this.clock.now(),
          tripDetails('slow_call_rate', 'window', calls, failures, slow, config),
        );
      }
    } else if (this.state === 'half_open') {
      this.trialsSettled += 1;
      if (outcome & OUTCOME_FAILURE) this.trialFailures += 1;
      if (outcome & OUTCOME_SLOW) this.trialSlow += 1;
      if (this.trialsSettled >= config.halfOpenPermits) this.decideOnTrials(now ?? this.clock.now());
    }
    // Calls admitted while disabled are not recorded.
  }

  /** Gives back a HALF_OPEN permit of a call that ended without an outcome (ignored, aborted). */
  release(generation: number): void {
    if (generation === this.generation && this.state === 'half_open') this.trialsIssued -= 1;
  }

  /**
   * Moves to `to`: bumps the generation and resets every counter, even when `to` is the
   * current state; listeners hear only real changes. `trip` says why, for `open`.
   */
  transition(to: CircuitState, now: number, trip?: TripDetails): void {
    const from = this.state;
    this.state = to;
    this.generation += 1;
    this.since = now;
    if (to === 'open') {
      this.reopens = from === 'half_open' ? this.reopens + 1 : 0;
      const { openWaitMs, openWaitMultiplier, maxOpenWaitMs } = this.config;
      // Grows geometrically with consecutive reopens; Infinity (overflow) is capped too.
      // A zero wait stays zero (0 × Infinity would be NaN and pin OPEN forever).
      this.openWait =
        this.reopens === 0 || openWaitMs === 0
          ? openWaitMs
          : Math.min(openWaitMs * openWaitMultiplier ** this.reopens, maxOpenWaitMs);
      this.lastTrip = trip as TripDetails; // every transition to open passes its trip
    } else if (to === 'half_open') {
      this.halfOpenDeadline = now + this.config.maxHalfOpenWaitMs;
    } else {
      this.reopens = 0;
      this.openWait = this.config.openWaitMs;
      this.lastTrip = null;
    }
    this.window.reset();
    this.trialsIssued = 0;
    this.trialsSettled = 0;
    this.trialFailures = 0;
    this.trialSlow = 0;
    if (from !== to) this.onTransition(from, to, now, trip);
  }
}
