/**
 * The Durable Object store of `@bulwark/ratelimit` (Cloudflare Workers): decisions for a key
 * made inside one Durable Object, atomically and with strongly consistent storage.
 *
 * @module @bulwark/ratelimit/durable-object
 */
export {
  createDurableObjectStore,
  type DurableObjectStore,
  type DurableObjectStoreOptions,
} from './durable-object/durable-object-store.js';
export {
  RateLimitDurableObject,
  type RateLimitDurableObjectOptions,
} from './durable-object/rate-limit-durable-object.js';
export type {
  DurableObjectNamespaceLike,
  DurableObjectStateLike,
  DurableObjectStorageLike,
  DurableObjectStubLike,
} from './durable-object/types.js';
