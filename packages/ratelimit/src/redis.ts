/**
 * The Redis store of `@bulwark/ratelimit` (Node.js, ioredis): one Lua script per decision,
 * Redis server time, hash-tagged keys for Redis Cluster, and a client that never queues
 * commands while disconnected.
 *
 * @module @bulwark/ratelimit/redis
 */
export { redisClientOptions, type SafeRedisOptions } from './redis/client-options.js';
export {
  createRedisStore,
  type RedisScriptClient,
  type RedisStore,
  type RedisStoreOptions,
} from './redis/redis-store.js';
