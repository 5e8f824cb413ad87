import type { TimerHandle, TimerProvider } from '@bulwark/core';
import type { Decision, DecisionReason, PolicyOutcome } from '../types.js';

/** Turns a store's answer, or its failure, into a decision. @internal */
export interface DecisionMaker {
  succeeded(key: string, outcomes: readonly PolicyOutcome[], cost: number): Decision;
  failed(key: string, reason: DecisionReason, cause: unknown, cost: number): Decision;
}

/** What {@link awaitStore} needs from its limiter, fixed at construction. @internal */
export interface StoreWait {
  readonly maker: DecisionMaker;
  readonly timers: TimerProvider;
  readonly deadlineMs: number;
}

const UNREF = Object.freeze({ unref: true });
const ONCE = Object.freeze({ once: true });

/**
 * Races a pending store answer against the deadline and the caller's abort signal. The first of
 * reply, error, timeout or abort settles the decision; the others are ignored. Each call gets its
 * own timer, so every call is timed from its own start.
 * @internal
 */
export function awaitStore(
  wait: StoreWait,
  pending: PromiseLike<readonly PolicyOutcome[]>,
  key: string,
  cost: number,
  signal: AbortSignal | undefined,
): Promise<Decision> {
  return new Promise<Decision>((resolve, reject) => {
    const call = new StoreCall(wait, key, cost, signal, resolve, reject);
    call.timer = wait.timers.setTimeout(() => call.timeout(), wait.deadlineMs, UNREF);
    if (signal) signal.addEventListener('abort', call, ONCE);
    try {
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

/**
 * One store call in flight. A class rather than per-call closures: one object per call, and it is
 * its own abort listener (`handleEvent`).
 */
class StoreCall implements EventListenerObject {
  timer: TimerHandle;
  #settled = false;

  constructor(
    private readonly wait: StoreWait,
    private readonly key: string,
    private readonly cost: number,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (decision: Decision) => void,
    private readonly reject: (reason: unknown) => void,
  ) {}

  reply(outcomes: readonly PolicyOutcome[]): void {
    if (this.settle()) this.resolve(this.wait.maker.succeeded(this.key, outcomes, this.cost));
  }

  fail(error: unknown): void {
    if (this.settle()) this.resolve(this.wait.maker.failed(this.key, 'store_unavailable', error, this.cost));
  }

  timeout(): void {
    if (this.settle()) {
      const cause = new Error(`no answer within ${this.wait.deadlineMs} ms`);
      this.resolve(this.wait.maker.failed(this.key, 'store_timeout', cause, this.cost));
    }
  }

  /** The abort listener. */
  handleEvent(): void {
    if (this.settle()) this.reject(this.signal?.reason);
  }

  private settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.wait.timers.clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    return true;
  }
}
