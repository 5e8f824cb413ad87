/**
 * A Redis store for `@bulwark/delivery` (ioredis, an optional peer dependency; Node only), for
 * fleets of workers sharing one queue.
 *
 * @module @bulwark/delivery/redis
 */
export { createRedisStore, type RedisStoreOptions } from './stores/redis-store.js';
