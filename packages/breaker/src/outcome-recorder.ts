import type { BreakerEventMap } from './breaker-events.js';
import type { ResolvedBreakerOptions } from './breaker-options.js';
import type { EventHub } from './event-hub.js';
import { OUTCOME_FAILURE, OUTCOME_SLOW } from './sliding-window.js';
import type { BreakerStateMachine } from './state-machine.js';

/**
 * Turns how a call ended into an outcome for the state machine (success, failure, slow,
 * ignored, released) and emits the matching call event. Shared by every way a call runs.
 * @internal
 */
export class OutcomeRecorder {
  constructor(
    private readonly machine: BreakerStateMachine,
    readonly options: ResolvedBreakerOptions,
    private readonly events: EventHub<BreakerEventMap>,
  ) {}

  /** A call admitted in `generation` (started at `start`, if timed) resolved. */
  success(generation: number, start: number): void {
    const { timed, slowCallDurationMs } = this.options;
    if (!timed) {
      this.machine.record(generation, 0);
      if (this.events.has('success')) {
        this.events.emit('success', Object.freeze({ breaker: this.options.name, durationMs: undefined, slow: false }));
      }
      return;
    }
    const now = this.options.clock.now();
    const durationMs = now - start;
    const slow = slowCallDurationMs !== undefined && durationMs >= slowCallDurationMs;
    this.machine.record(generation, slow ? OUTCOME_SLOW : 0, now);
    if (this.events.has('success')) {
      this.events.emit('success', Object.freeze({ breaker: this.options.name, durationMs, slow }));
    }
  }

  /** A call admitted in `generation` returned `value`: a success unless `isFailureResult` says otherwise. */
  fulfilled(value: unknown, generation: number, start: number): void {
    const judge = this.options.isFailureResult;
    let failed = false;
    if (judge === undefined) {
      this.success(generation, start);
      return;
    }
    try {
      failed = judge(value);
    } catch {
      // A throwing classifier must not lose the permit: count the call as a failure.
      failed = true;
    }
    if (failed) this.failure(undefined, generation, start, false, value, true);
    else this.success(generation, start);
  }

  /** A call rejected with `error`: ignored, failure or success, as the classifiers decide. */
  error(error: unknown, generation: number, start: number): void {
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
      if (this.events.has('ignored')) this.events.emit('ignored', Object.freeze({ breaker: this.options.name, error }));
    } else if (failure) {
      this.failure(error, generation, start, false);
    } else {
      this.success(generation, start);
    }
  }

  /**
   * A failure, either classified (`timeout: false`) or a timeout (always slow, lasting
   * `timeoutMs`); `fromResult` when it is a returned value that `isFailureResult` matched.
   */
  failure(
    error: unknown,
    generation: number,
    start: number,
    timeout: boolean,
    result?: unknown,
    fromResult = false,
  ): void {
    const { timed, slowCallDurationMs, timeoutMs } = this.options;
    const now = timed ? this.options.clock.now() : undefined;
    const durationMs = timeout ? timeoutMs : now === undefined ? undefined : now - start;
    const slow =
      timeout || (slowCallDurationMs !== undefined && durationMs !== undefined && durationMs >= slowCallDurationMs);
    this.machine.record(generation, OUTCOME_FAILURE | (slow ? OUTCOME_SLOW : 0), now);
    if (this.events.has('failure')) {
      const base = { breaker: this.options.name, error, durationMs, slow, timeout };
      this.events.emit('failure', Object.freeze(fromResult ? { ...base, result } : base));
    }
  }

  /** The caller gave up (not the dependency's fault): release the permit, record nothing. */
  release(generation: number): void {
    this.machine.release(generation);
  }
}
