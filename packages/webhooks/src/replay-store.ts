import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import type { WebhookReplayStoreError } from './errors/webhook-error.js';

/**
 * Remembers accepted message ids/nonces for the tolerance window. `verify()` calls `claim`
 * only after the signature matched, so forged requests cannot fill the store.
 */
export interface ReplayStore {
  /**
   * Records `key` for `ttlMs` if it is new. A store that cannot answer should throw (or reject
   * with) a {@link WebhookReplayStoreError}; any other error is reported as
   * `webhook_replay_store_unavailable`. Either way the webhook is not accepted.
   * @param nowMs - The verifier's clock reading for this message (the instant its timestamp
   *   was checked against): stores that expire keys themselves measure `ttlMs` from it.
   * @returns `true` when the key was new (accept), `false` when it was already recorded (replay).
   */
  claim(key: string, ttlMs: number, nowMs?: number): boolean | Promise<boolean>;
}

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most keys kept; beyond it the oldest entry is evicted. Type: `number`. Default: `100_000`. */
  maxEntries?: number;
  /**
   * Time source for expiry of calls that pass no `nowMs` (a verifier always passes its own
   * clock's reading). Type: `Clock`. Default: `systemClock`.
   */
  clock?: Clock;
}

/** An in-process {@link ReplayStore}, bounded by entry count. */
export interface MemoryReplayStore extends ReplayStore {
  /** Keys currently held. */
  readonly size: number;
  /** Unexpired keys evicted because the store was full (each weakens replay protection). */
  readonly evictions: number;
}

/**
 * Creates a bounded in-memory replay store for a single process. Expired keys are dropped
 * first; when the store is still full the oldest key is evicted and counted in `evictions`.
 * Use the Redis store (`@bulwark/webhooks/redis`) when several processes receive webhooks.
 *
 * @throws {RangeError} when `maxEntries` is not a positive integer.
 * @example
 * ```ts
 * const replayStore = createMemoryReplayStore({ maxEntries: 50_000 });
 * await verify({ headers, body, secrets, replayStore });
 * ```
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): MemoryReplayStore {
  const maxEntries = options.maxEntries ?? 100_000;
  assertNumberOption('maxEntries', maxEntries, { min: 1, integer: true });
  const clock = options.clock ?? systemClock;
  // Insertion order = expiry order when TTLs are equal, which is the case within one verifier.
  const expiries = new Map<string, number>();
  let evictions = 0;

  function sweep(now: number): void {
    for (const [key, expiresAt] of expiries) {
      if (expiresAt > now) break;
      expiries.delete(key);
    }
  }

  const store = {
    claim(key: string, ttlMs: number, nowMs?: number): boolean {
      const now = nowMs ?? clock.now();
      const existing = expiries.get(key);
      if (existing !== undefined && existing > now) return false;
      expiries.delete(key);
      sweep(now);
      if (expiries.size >= maxEntries) {
        const oldest = expiries.keys().next().value as string;
        expiries.delete(oldest);
        evictions++;
      }
      expiries.set(key, now + ttlMs);
      return true;
    },
  };
  // Not getters in the literal: V8 builds such a literal in dictionary mode, where each
  // `store.claim` of a verification is a hash lookup the optimizer cannot inline.
  Object.defineProperty(store, 'size', { get: () => expiries.size, enumerable: true, configurable: true });
  Object.defineProperty(store, 'evictions', { get: () => evictions, enumerable: true, configurable: true });
  return store as MemoryReplayStore;
}
