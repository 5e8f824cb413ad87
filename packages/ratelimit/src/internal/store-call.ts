import type { TimerHandle, TimerProvider } from '@bulwark/core';
import type { Decision, DecisionReason, PolicyOutcome, ResolvedPolicy } from '../types.js';
import type { DecideInto, DecisionSink } from './decide-into.js';

/** Turns a store's answer, or its failure, into a decision. @internal */
export interface DecisionMaker {
  succeeded(key: string, outcomes: readonly PolicyOutcome[], cost: number): Decision;
  failed(key: string, reason: DecisionReason, cause: unknown, cost: number): Decision;
  /** Gives back what a reply consumed when nobody was told "allowed" (it came after the deadline or an abort). */
  refund(key: string, outcomes: readonly PolicyOutcome[], cost: number): void;
}

/** What {@link awaitStore} needs from its limiter, fixed at construction. @internal */
export interface StoreWait {
  readonly maker: DecisionMaker;
  /** The limiter's policies, for a store's {@link DecideInto}. */
  readonly policies: readonly ResolvedPolicy[];
  readonly timers: TimerProvider;
  readonly deadlineMs: number;
  /** Runs a callback after the event loop's next I/O poll; returns a handle of `timers` when it used them. */
  readonly turn: (callback: () => void) => TimerHandle | undefined;
  /**
   * The calls started in this tick, which share one deadline timer: Node measures every timer
   * set in one tick from the loop time it cached for the tick, so the shared timer fires when
   * each call's own would have (a timer provider whose time moves within a tick can only make
   * a later call of the tick time out earlier, never later).
   */
  tick: Tick | undefined;
}

/** Calls that one deadline timer serves, and how many of them are still waiting. */
interface Tick {
  left: number;
  readonly calls: StoreCall[];
  readonly timer: TimerHandle;
}

const UNREF = Object.freeze({ unref: true });

/**
 * The turn for {@link StoreWait.turn}: with the system's timers, `setImmediate` (it runs right
 * after the poll phase; a 0 ms Node timer can run in the same timers phase when that phase is
 * long, before any I/O is read); with injected timers, or without `setImmediate` (edge
 * runtimes), a 0 ms timer of `timers`, so fake time drives it.
 * @internal
 */
export function nextTurn(timers: TimerProvider, injected: boolean): (callback: () => void) => TimerHandle | undefined {
  return (callback) => {
    const immediate = injected
      ? undefined
      : (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
    if (immediate === undefined) return timers.setTimeout(callback, 0, UNREF);
    immediate(callback);
    return undefined;
  };
}

const ONCE = Object.freeze({ once: true });

/**
 * Races a pending store answer against the deadline and the caller's abort signal. The first of
 * reply, error, timeout or abort settles the decision; the others are ignored, except a late
 * reply that consumed units, which is refunded unless the caller was allowed anyway. Each call
 * is timed from its own start; the calls started in one tick share one timer
 * ({@link StoreWait.tick}). `pending` is the store's
 * answer, or the `decideInto` of a store that settles the call directly (the call is its
 * {@link DecisionSink}).
 *
 * When the deadline timer fires, the call waits one more event-loop turn before denying
 * ({@link StoreWait.turn}: `setImmediate`, or a 0 ms timer of injected timers): on a busy event
 * loop the timers phase runs before the poll phase, so replies that already arrived on the
 * socket would otherwise lose to a deadline that expired while the loop was busy. One turn lets
 * them be read; a store that has not answered by then is really late.
 * @internal
 */
export function awaitStore(
  wait: StoreWait,
  pending: PromiseLike<readonly PolicyOutcome[]> | DecideInto,
  key: string,
  cost: number,
  signal: AbortSignal | undefined,
): Promise<Decision> {
  return new Promise<Decision>((resolve, reject) => {
    const call = new StoreCall(wait, key, cost, signal, resolve, reject);
    let tick = wait.tick;
    if (!tick?.left) {
      const calls: StoreCall[] = [];
      const timer = wait.timers.setTimeout(
        () => {
          for (const c of calls) c.timeout();
        },
        wait.deadlineMs,
        UNREF,
      );
      tick = wait.tick = { left: 0, calls, timer };
      // The tick ends with its synchronous code: a later call gets a timer of its own.
      queueMicrotask(() => {
        wait.tick = undefined;
      });
    }
    tick.calls.push(call);
    tick.left++;
    call.tick = tick;
    if (signal) signal.addEventListener('abort', call, ONCE);
    try {
      if (typeof pending === 'function') pending(key, wait.policies, cost, wait.deadlineMs, call);
      else
        pending.then(
          (outcomes) => call.reply(outcomes),
          (error: unknown) => call.fail(error),
        );
    } catch (error) {
      // A foreign thenable that throws is a store failure too, not a rejected limit().
      call.fail(error);
    }
  });
}

/** Whether a store error says the store refused because the caller's deadline had passed. @internal */
export function isDeadlineRefusal(error: unknown): boolean {
  return (error as { reason?: unknown } | null)?.reason === 'store_timeout';
}

/** Settled how: not yet, with a decision that allowed, or without letting the caller proceed. */
const PENDING = 0;
const ALLOWED = 1;
const NOT_ALLOWED = 2;

/**
 * One store call in flight. A class rather than per-call closures: one object per call, its own
 * abort listener (`handleEvent`) and the sink a store can settle directly.
 */
class StoreCall implements EventListenerObject, DecisionSink {
  // `declare`d and assigned in the constructor: no field definitions in the bundle.
  declare private readonly wait: StoreWait;
  declare private readonly key: string;
  declare private readonly cost: number;
  declare private readonly signal: AbortSignal | undefined;
  declare private readonly resolve: (decision: Decision) => void;
  declare private readonly reject: (reason: unknown) => void;
  declare tick: Tick;
  /** The extra turn's timer, once the deadline passed (injected timers). */
  declare timer: TimerHandle;
  #state: number = PENDING;
  #expiring = false;

  constructor(
    wait: StoreWait,
    key: string,
    cost: number,
    signal: AbortSignal | undefined,
    resolve: (decision: Decision) => void,
    reject: (reason: unknown) => void,
  ) {
    this.wait = wait;
    this.key = key;
    this.cost = cost;
    this.signal = signal;
    this.resolve = resolve;
    this.reject = reject;
  }

  reply(outcomes: readonly PolicyOutcome[]): void {
    if (this.#state === PENDING) {
      this.finish(this.wait.maker.succeeded(this.key, outcomes, this.cost));
    } else if (this.#state === NOT_ALLOWED) {
      // Too late: the caller was denied (or gave up) without this answer. What it consumed goes back.
      this.wait.maker.refund(this.key, outcomes, this.cost);
    }
  }

  fail(error: unknown): void {
    if (this.#state !== PENDING) return;
    const reason: DecisionReason = isDeadlineRefusal(error) ? 'store_timeout' : 'store_unavailable';
    this.finish(this.wait.maker.failed(this.key, reason, error, this.cost));
  }

  timeout(): void {
    if (this.#state !== PENDING) return;
    if (!this.#expiring) {
      this.#expiring = true;
      const handle = this.wait.turn(() => this.timeout());
      if (handle !== undefined) this.timer = handle;
      return;
    }
    const cause = new Error(`no answer within ${this.wait.deadlineMs} ms`);
    this.finish(this.wait.maker.failed(this.key, 'store_timeout', cause, this.cost));
  }

  /** The abort listener (removed when the call settles, so the call is still pending here). */
  handleEvent(): void {
    this.#state = NOT_ALLOWED;
    this.cleanup();
    this.reject(this.signal?.reason);
  }

  private finish(decision: Decision): void {
    this.#state = decision.allowed ? ALLOWED : NOT_ALLOWED;
    this.cleanup();
    this.resolve(decision);
  }

  private cleanup(): void {
    const { tick } = this;
    if (--tick.left === 0) this.wait.timers.clearTimeout(tick.timer);
    this.wait.timers.clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
  }
}
