import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis.js';
import type { Completion, DeliveryStore } from '../src/store.js';
import { delivery } from './store-conformance.js';
import { privateRedis } from './support/private-redis.js';

const T0 = 1_700_000_000_000;

const succeeded = (id: string): Completion => ({
  status: 'succeeded',
  nextAt: T0 + 2,
  attempt: { deliveryId: id, n: 0, at: T0 + 1, statusCode: 204, latencyMs: 1, response: '', errorCode: null },
  lastError: null,
  now: T0 + 2,
});

// A private server: SCRIPT FLUSH and CONFIG RESETSTAT would disturb suites sharing REDIS_URL.
describe('the Redis store runs its scripts by SHA (EVALSHA)', () => {
  const redis = privateRedis();

  /** enqueue (durable pipeline), claim and complete (single calls) of delivery `n`. */
  async function roundTrip(store: DeliveryStore, n: number): Promise<void> {
    expect(await store.enqueue([delivery(n)])).toEqual([delivery(n).id]);
    const [claimed] = await store.claim({ now: T0 + 10_000, leaseMs: 30_000, limit: 1 });
    expect(claimed?.id).toBe(delivery(n).id);
    expect(await store.complete(delivery(n).id, claimed?.leaseToken ?? '', succeeded(delivery(n).id))).toBe(true);
  }

  async function scriptCalls(): Promise<{ eval: number; evalsha: number }> {
    const calls = await redis.commandCalls();
    return { eval: calls.get('eval') ?? 0, evalsha: calls.get('evalsha') ?? 0 };
  }

  it('sends a script text only until Redis holds it: later calls are EVALSHA', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: 'sha' });
    await roundTrip(store, 1);
    await redis.admin.config('RESETSTAT');
    await roundTrip(store, 2);
    expect(await scriptCalls()).toEqual({ eval: 0, evalsha: 3 });
    await store.close();
  });

  it('re-sends a script Redis lost (restart, failover, SCRIPT FLUSH) with EVAL, once, and the call succeeds', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: 'flush' });
    await roundTrip(store, 1);
    await redis.admin.script('FLUSH');
    await redis.admin.config('RESETSTAT');
    await roundTrip(store, 2);
    // Each of the three scripts: one EVALSHA refused with NOSCRIPT, then EVAL.
    expect(await scriptCalls()).toEqual({ eval: 3, evalsha: 3 });
    await redis.admin.config('RESETSTAT');
    await roundTrip(store, 3);
    expect(await scriptCalls()).toEqual({ eval: 0, evalsha: 3 });
    expect((await store.getDelivery(delivery(2).id))?.status).toBe('succeeded');
    await store.close();
  });
});
