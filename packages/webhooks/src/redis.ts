/**
 * A Redis-backed {@link ReplayStore} for `@bulwark/webhooks`, shared by every process that
 * receives webhooks: one `SET key 1 NX PX ttl` per accepted message, answered within a deadline
 * or refused (fail closed). Works with ioredis 5 or 6 (not a dependency: the client type is structural) or any client with
 * the same `set` signature.
 *
 * @module @bulwark/webhooks/redis
 */
import { assertNumberOption, systemTimers, type TimerProvider } from '@bulwark/core';
import { WebhookReplayStoreError } from './errors/webhook-error.js';
import type { ReplayStore } from './replay-store.js';

/** The subset of an ioredis client used by the store (`del` releases claims that answered late). */
export interface RedisSetClient {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null | string>;
  del?(key: string): Promise<number>;
}

/** Options of {@link createRedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** An ioredis client (or compatible). */
  redis: RedisSetClient;
  /** Key prefix. Type: `string`. Default: `'bulwark:webhooks:replay:'`. */
  prefix?: string;
  /**
   * Longest wait for Redis' answer; past it `claim` rejects with `webhook_replay_store_timeout`
   * (the webhook is refused with a retryable 503). Type: `number` (ms, 1-60000). Default: `1000`.
   */
  deadlineMs?: number;
  /** Timer source for the deadline. Type: `TimerProvider`. Default: the global timers. */
  timers?: TimerProvider;
}

const UNREF = Object.freeze({ unref: true });

/**
 * Creates a replay store on Redis. `claim` is atomic across processes (`SET NX PX`); keys
 * expire on their own after the tolerance window. It fails closed and typed: no answer within
 * `deadlineMs` rejects with `webhook_replay_store_timeout`, a client error with
 * `webhook_replay_store_unavailable` (both 503, retryable; the client's error is the `cause`). A
 * claim that Redis grants after its deadline passed is released again (`DEL`, when the client has
 * it), so the sender's retry of the refused webhook is not taken for a replay.
 *
 * @throws {TypeError} when `redis` has no `set` method or `prefix` is not a string.
 * @throws {RangeError} when `deadlineMs` is not a number in 1-60000.
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createRedisReplayStore } from '@bulwark/webhooks/redis';
 * const replayStore = createRedisReplayStore({ redis: new Redis(process.env.REDIS_URL!), deadlineMs: 500 });
 * ```
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const { redis } = options;
  if (typeof redis?.set !== 'function') throw new TypeError('Expected `redis` to be an ioredis client');
  const prefix = options.prefix ?? 'bulwark:webhooks:replay:';
  if (typeof prefix !== 'string') throw new TypeError('Expected `prefix` to be a string');
  const deadlineMs = options.deadlineMs ?? 1_000;
  assertNumberOption('deadlineMs', deadlineMs, { min: 1, max: 60_000 });
  const timers = options.timers ?? systemTimers;

  function release(key: string): void {
    // Best effort: a failed release leaves the key to expire with the tolerance window.
    redis.del?.(key).catch(() => undefined);
  }

  return Object.freeze({
    claim(key: string, ttlMs: number): Promise<boolean> {
      const redisKey = prefix + key;
      return new Promise<boolean>((resolve, reject) => {
        let settled = false;
        const timer = timers.setTimeout(
          () => {
            // Cleared once settled; and a settled promise ignores a late reject anyway.
            settled = true;
            reject(
              new WebhookReplayStoreError('webhook_replay_store_timeout', {
                detail: `The replay store did not answer within ${deadlineMs} ms; the webhook was not accepted`,
              }),
            );
          },
          deadlineMs,
          UNREF,
        );
        let pending: Promise<unknown>;
        try {
          pending = redis.set(redisKey, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending.then(
          (reply) => {
            if (settled) {
              if (reply === 'OK') release(redisKey);
              return;
            }
            settled = true;
            timers.clearTimeout(timer);
            resolve(reply === 'OK');
          },
          (error: unknown) => {
            // After the deadline this reject is a no-op: the call already failed closed.
            settled = true;
            timers.clearTimeout(timer);
            reject(
              new WebhookReplayStoreError('webhook_replay_store_unavailable', {
                detail: 'The replay store failed; the webhook was not accepted',
                cause: error,
              }),
            );
          },
        );
      });
    },
  });
}
