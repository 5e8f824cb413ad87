import { FakeClock, redisUrl } from '@bulwark/testing';
import { createRedisReplayStore } from '@bulwark/webhooks/redis';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundVerifier } from '../src/inbound.js';
import { rejection } from './helpers.js';
import { NOW_MS, SECRETS, signFor } from './inbound-helpers.js';

const url = redisUrl();

describe('provider presets on the Redis replay store (real Redis)', () => {
  let redis: Redis;
  const prefix = `test:webhooks-inbound:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
  beforeAll(() => {
    redis = new Redis(url as string, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('refuses a replayed Stripe delivery across verifiers sharing the store, and keeps the key for the window', async () => {
    const store = createRedisReplayStore({ redis, prefix });
    const options = {
      provider: 'stripe',
      secrets: SECRETS.stripe,
      clock: new FakeClock(NOW_MS),
      replayStore: store,
    } as const;
    const first = createInboundVerifier(options);
    const second = createInboundVerifier(options); // another process, same Redis
    const delivery = await signFor('stripe', '{"id":"evt_1"}');
    await first.verify(delivery);
    expect(await rejection(second.verify(delivery))).toMatchObject({ code: 'webhook_replayed' });
    const [key] = await redis.keys(`${prefix}stripe:*`);
    expect(key).toMatch(/stripe:[0-9a-f]{64}$/);
    const ttl = await redis.pttl(key as string);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('keeps an untimestamped preset key for replayTtlSec', async () => {
    const store = createRedisReplayStore({ redis, prefix });
    const verifier = createInboundVerifier({
      provider: 'github',
      secrets: SECRETS.github,
      replayStore: store,
      replayTtlSec: 86_400,
    });
    await verifier.verify(await signFor('github', '{"zen":"Keep it logically awesome."}'));
    const [key] = await redis.keys(`${prefix}github:*`);
    expect(await redis.pttl(key as string)).toBeGreaterThan(86_000_000);
  });
});
