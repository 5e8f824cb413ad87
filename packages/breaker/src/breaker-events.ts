import type { RejectionReason } from './errors/broken-circuit-error.js';
import type { CircuitState } from './state-machine.js';
import type { TripDetails } from './trip-details.js';

/** A state change: emitted once per transition, in order. */
export interface StateChangeEvent {
  readonly breaker: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Epoch ms of the transition (from the injected clock). */
  readonly at: number;
  /** Why the breaker opened, on transitions to `open` only. */
  readonly trip?: TripDetails;
}

/** A transition to `open`, with why it tripped and the numbers before the reset. */
export interface OpenEvent extends StateChangeEvent {
  readonly to: 'open';
  readonly trip: TripDetails;
}

/** A call refused without running (`circuit_open`). */
export interface RejectedEvent {
  readonly breaker: string;
  readonly reason: RejectionReason;
  readonly retryAfterMs: number;
}

/** A call that counted as a success. */
export interface SuccessEvent {
  readonly breaker: string;
  /**
   * Run time from the injected clock; `undefined` when nothing needs the clock (no
   * `slowCallDurationMs`, count window), so the fast path skips reading it.
   */
  readonly durationMs: number | undefined;
  readonly slow: boolean;
}

/** A call that counted as a failure. */
export interface FailureEvent {
  readonly breaker: string;
  readonly error: unknown;
  /** As in {@link SuccessEvent}; for timeouts, always `timeoutMs`. */
  readonly durationMs: number | undefined;
  readonly slow: boolean;
  /** The call hit `timeoutMs`. */
  readonly timeout: boolean;
  /**
   * Present when the call returned a value that `isFailureResult` counted as a failure (the
   * value; `error` is then `undefined`).
   */
  readonly result?: unknown;
}

/** A call whose error `isIgnored` matched: counted as nothing. */
export interface IgnoredEvent {
  readonly breaker: string;
  readonly error: unknown;
}

/** Events of a circuit breaker, for {@link CircuitBreaker.on}. Payloads are frozen. */
export interface BreakerEventMap {
  /** Every transition. */
  state_change: StateChangeEvent;
  /** Transitions into `open` (from `closed` or `half_open`), with the trip reason. */
  open: OpenEvent;
  /** Transitions into `half_open`. */
  half_open: StateChangeEvent;
  /** Transitions into `closed`. */
  close: StateChangeEvent;
  rejected: RejectedEvent;
  success: SuccessEvent;
  failure: FailureEvent;
  ignored: IgnoredEvent;
}

/** Event names of {@link BreakerEventMap}. */
export type BreakerEventName = keyof BreakerEventMap;
