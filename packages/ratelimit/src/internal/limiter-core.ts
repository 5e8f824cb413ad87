import type { TimerProvider } from '@bulwark/core';
import { normalizeKey } from '../key.js';
import { type MemoryStore, SlabStore, type SoleGcra } from '../memory-store.js';
import type { Decision, DecisionReason, PolicyOutcome, ResolvedPolicy, Store } from '../types.js';
import { DECIDE_INTO, type DecideInto } from './decide-into.js';
import { fromOutcomes, fromSoleOutcome, withoutStore } from './decisions.js';
import { awaitStore, type DecisionMaker, nextTurn, type StoreWait } from './store-call.js';

/** What a limiter core is built from: options already validated and defaulted. @internal */
export interface LimiterConfig {
  readonly policies: readonly ResolvedPolicy[];
  readonly store: Store;
  readonly deadlineMs: number;
  readonly maxKeyLength: number;
  readonly failMode: 'closed' | 'open' | 'local';
  /** The stricter in-process limiter of `failMode: 'local'`. */
  readonly local: { readonly policies: readonly ResolvedPolicy[]; readonly store: MemoryStore } | undefined;
  readonly timers: TimerProvider;
  /** Whether `timers` was injected (then the deadline's extra turn uses them too). */
  readonly injectedTimers: boolean;
  readonly logger: { warn(message: string, fields?: Readonly<Record<string, unknown>>): void };
  readonly onDecision: ((event: { key: string; decision: Decision; cause?: unknown }) => void) | undefined;
}

const MAX_COST = 1_000_000_000;

/**
 * The state and decision path of one rate limiter. A class rather than closures: every limiter
 * shares one `limit`, so a call site that sees many limiters stays monomorphic and the engine
 * inlines the whole memory-store decision into it (per-limiter closures made such call sites
 * polymorphic and cost ~20% of a memory decision).
 * @internal
 */
export class LimiterCore implements DecisionMaker {
  healthy = true;
  readonly #c: LimiterConfig;
  /** The policy of a one-policy limiter (the common case, decided on a shorter path). */
  readonly #sole: ResolvedPolicy | undefined;
  readonly #wait: StoreWait;
  /** The one-function decision of a one-GCRA-policy limiter on the built-in memory store, without `onDecision`. */
  readonly #fused: SoleGcra | undefined;
  readonly #maxKeyLength: number;

  constructor(config: LimiterConfig) {
    this.#c = config;
    this.#fused = config.onDecision ? undefined : SlabStore.fuse(config.store, config.policies);
    this.#maxKeyLength = config.maxKeyLength;
    this.#sole = config.policies.length === 1 ? config.policies[0] : undefined;
    const turn = nextTurn(config.timers, config.injectedTimers);
    this.#wait = {
      maker: this,
      policies: config.policies,
      timers: config.timers,
      deadlineMs: config.deadlineMs,
      turn,
      tick: undefined,
    };
  }

  limit(
    key: string,
    options?: { readonly cost?: number | undefined; readonly signal?: AbortSignal | undefined },
  ): Promise<Decision> {
    const fused = this.#fused;
    if (
      options === undefined &&
      fused !== undefined &&
      this.healthy &&
      typeof key === 'string' &&
      key.length !== 0 &&
      key.length <= this.#maxKeyLength
    ) {
      // The common call on the built-in memory store: what #run and succeeded do with the store's
      // reply, with the store's decision fused in (kept small, so the engine inlines all of it).
      try {
        return Promise.resolve(fused(key));
      } catch (error) {
        return Promise.resolve(this.failed(key, 'store_unavailable', error, 1));
      }
    }
    return this.#limit(key, options);
  }

  /** {@link limit} of every other call. */
  #limit(
    key: string,
    options: { readonly cost?: number | undefined; readonly signal?: AbortSignal | undefined } | undefined,
  ): Promise<Decision> {
    const cost = options?.cost ?? 1;
    if (cost !== 1 && !(Number.isInteger(cost) && cost >= 0 && cost <= MAX_COST)) return invalidCost(cost);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const normalized = normalizeKey(key, this.#c.maxKeyLength);
    if (typeof normalized === 'string') return this.#run(normalized, cost, signal);
    return normalized.then((hashed) => this.#run(hashed, cost, signal));
  }

  async reset(key: string): Promise<void> {
    const normalized = await normalizeKey(key, this.#c.maxKeyLength);
    await this.#c.store.reset?.(normalized, this.#c.policies);
    this.#c.local?.store.reset(normalized, this.#c.local.policies);
  }

  succeeded(key: string, outcomes: readonly PolicyOutcome[], cost: number): Decision {
    const { policies, onDecision } = this.#c;
    if (outcomes?.length !== policies.length) {
      return this.failed(key, 'store_unavailable', new TypeError('store returned a reply of the wrong length'), cost);
    }
    if (!this.healthy) this.#recovered();
    const sole = this.#sole;
    const decision = sole ? fromSoleOutcome(sole, outcomes) : fromOutcomes(policies, outcomes, undefined);
    return onDecision ? this.#emit(key, decision) : decision;
  }

  failed(key: string, reason: DecisionReason, cause: unknown, cost: number): Decision {
    const { store, failMode, local, policies, logger } = this.#c;
    if (this.healthy) {
      this.healthy = false;
      logger.warn('rate limiter store failing', { store: store.name, reason, failMode, cause: String(cause) });
    }
    const decision = local
      ? fromOutcomes(local.policies, local.store.decide(key, local.policies, cost), reason)
      : withoutStore(policies, reason, failMode === 'open');
    return this.#emit(key, decision, cause);
  }

  /** A reply that consumed units arrived after the caller was denied or gave up: give them back. */
  refund(key: string, outcomes: readonly PolicyOutcome[], cost: number): void {
    const { store, policies } = this.#c;
    if (cost === 0 || store.refund === undefined || !outcomes?.every((o) => o?.allowed)) return;
    try {
      const done = store.refund(key, policies, cost, outcomes);
      if (isPromiseLike(done)) done.then(undefined, (error: unknown) => this.#refundFailed(error));
    } catch (error) {
      this.#refundFailed(error);
    }
  }

  #run(key: string, cost: number, signal: AbortSignal | undefined): Promise<Decision> {
    const { store, policies, deadlineMs } = this.#c;
    const into = (store as { [DECIDE_INTO]?: DecideInto })[DECIDE_INTO];
    if (into) return awaitStore(this.#wait, into, key, cost, signal);
    let result: readonly PolicyOutcome[] | Promise<readonly PolicyOutcome[]>;
    try {
      result = store.decide(key, policies, cost, deadlineMs);
    } catch (error) {
      return Promise.resolve(this.failed(key, 'store_unavailable', error, cost));
    }
    if (Array.isArray(result) || !isPromiseLike(result)) return Promise.resolve(this.succeeded(key, result, cost));
    return awaitStore(this.#wait, result, key, cost, signal);
  }

  #emit(key: string, decision: Decision, cause?: unknown): Decision {
    const { onDecision } = this.#c;
    if (onDecision) {
      try {
        onDecision(cause === undefined ? { key, decision } : { key, decision, cause });
      } catch {
        // A failing observer must not change the decision.
      }
    }
    return decision;
  }

  #recovered(): void {
    this.healthy = true;
    this.#c.logger.warn('rate limiter store recovered', { store: this.#c.store.name });
  }

  #refundFailed(cause: unknown): void {
    this.#c.logger.warn('rate limiter could not refund a late charge', {
      store: this.#c.store.name,
      cause: String(cause),
    });
  }
}

function invalidCost(cost: number): Promise<never> {
  return Promise.reject(new RangeError(`Expected \`cost\` to be an integer in [0, ${MAX_COST}], got ${cost}`));
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
