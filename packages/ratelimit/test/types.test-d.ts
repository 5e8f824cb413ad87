import { describe, expectTypeOf, it } from 'vitest';
import {
  createRateLimiter,
  type Decision,
  type DecisionReason,
  type KeyExtractor,
  type RateLimiter,
  type Store,
} from '../src/index.js';
import { createRedisStore, type RedisStore } from '../src/redis.js';

describe('types', () => {
  it('limit resolves to a Decision with a closed set of reasons', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1 });
    expectTypeOf(limiter).toEqualTypeOf<RateLimiter>();
    expectTypeOf(limiter.limit('k')).resolves.toEqualTypeOf<Decision>();
    expectTypeOf<DecisionReason>().toEqualTypeOf<'ok' | 'limited' | 'store_unavailable' | 'store_timeout'>();
  });

  it('rejects unknown algorithms and fail modes', () => {
    // @ts-expect-error: not an algorithm
    createRateLimiter({ algorithm: 'leaky-bucket', limit: 1, windowMs: 1 });
    // @ts-expect-error: not a fail mode
    createRateLimiter({ limit: 1, windowMs: 1, failMode: 'maybe' });
  });

  it('the Redis store is a Store', () => {
    expectTypeOf<RedisStore>().toMatchTypeOf<Store>();
    expectTypeOf(createRedisStore).parameter(0).toHaveProperty('client');
  });

  it('key extractors may be async', () => {
    expectTypeOf<KeyExtractor>().returns.toEqualTypeOf<string | undefined | Promise<string | undefined>>();
  });
});
