/**
 * A Redis-backed {@link ReplayStore} for `@bulwark/webhooks`, shared by every process that
 * receives webhooks: one `SET key 1 NX PX ttl` per accepted message. Works with ioredis (an
 * optional peer dependency) or any client with the same `set` signature.
 *
 * @module @bulwark/webhooks/redis
 */
import type { ReplayStore } from './replay-store.js';

/** The subset of an ioredis client used by the store. */
export interface RedisSetClient {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null | string>;
}

/** Options of {@link createRedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** An ioredis client (or compatible). */
  redis: RedisSetClient;
  /** Key prefix. Type: `string`. Default: `'bulwark:webhooks:replay:'`. */
  prefix?: string;
}

/**
 * Creates a replay store on Redis. `claim` is atomic across processes (`SET NX PX`); keys
 * expire on their own after the tolerance window. Redis errors propagate (fail closed): a
 * webhook is never accepted when the store cannot be asked.
 *
 * @throws {TypeError} when `redis` has no `set` method or `prefix` is not a string.
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createRedisReplayStore } from '@bulwark/webhooks/redis';
 * const replayStore = createRedisReplayStore({ redis: new Redis(process.env.REDIS_URL!) });
 * ```
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const { redis } = options;
  if (typeof redis?.set !== 'function') throw new TypeError('Expected `redis` to be an ioredis client');
  const prefix = options.prefix ?? 'bulwark:webhooks:replay:';
  if (typeof prefix !== 'string') throw new TypeError('Expected `prefix` to be a string');
  return Object.freeze({
    async claim(key: string, ttlMs: number): Promise<boolean> {
      const reply = await redis.set(prefix + key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return reply === 'OK';
    },
  });
}
