/**
 * The Redis store of `@bulwark/idempotency` (Node.js; any ioredis-shaped client): one Lua script
 * per operation, one round trip per replay, hash-tagged keys for Redis Cluster.
 *
 * @module @bulwark/idempotency/redis
 */
export {
  createRedisStore,
  type RedisScriptClient,
  type RedisStore,
  type RedisStoreOptions,
} from './redis/redis-store.js';
