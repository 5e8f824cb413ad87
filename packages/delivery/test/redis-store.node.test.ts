import { randomUUID } from 'node:crypto';
import { createRedisStore } from '@bulwark/delivery/redis';
import { redisUrl } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStoreConformance } from './store-conformance.js';
import { deleteStoreKeys } from './support/redis-cleanup.js';

const url = redisUrl();
const run = `bulwark-test:${randomUUID()}`;
let counter = 0;
let current = '';

async function cleanup(): Promise<void> {
  // The stores' keys are `{<prefix>}:…`: what they wrote is deleted, so a shared Redis keeps none of it.
  expect(await deleteStoreKeys(url!, `${run}:`)).toBeGreaterThan(0);
}

describe.skipIf(!url)('createRedisStore', () => {
  afterAll(cleanup);

  describeStoreConformance('redis', {
    async open() {
      current = `${run}:${counter++}`;
      return createRedisStore({ connection: url!, prefix: current });
    },
    async reopen() {
      return createRedisStore({ connection: url!, prefix: current });
    },
  });

  it('uses a caller-owned client without closing it', async () => {
    const client = new Redis(url!);
    const store = createRedisStore({ connection: client, prefix: `${run}:owned` });
    expect(await store.claim({ now: 0, leaseMs: 1, limit: 0 })).toEqual([]);
    expect(await store.getDelivery('nope')).toBeUndefined();
    expect(await store.getEndpoint('nope')).toBeUndefined();
    expect(await store.requeue({ statuses: [] }, 0)).toBe(0);
    expect(await store.dlqStats()).toEqual({ size: 0, byEndpoint: {}, oldestAt: null });
    await store.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });
});
