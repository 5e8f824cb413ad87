import { redisUrl } from '@bulwark/testing';
import { createRedisReplayStore } from '@bulwark/webhooks/redis';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookVerifier, sign } from '../src/index.js';
import { clockAt, NOW_SEC, rejection, SECRET } from './helpers.js';

describe('createRedisReplayStore options', () => {
  it('validates the client and prefix', () => {
    expect(() => createRedisReplayStore({ redis: {} as never })).toThrow(/redis/);
    expect(() => createRedisReplayStore({ redis: { set: async () => 'OK' }, prefix: 1 as never })).toThrow(/prefix/);
  });

  it('sends SET key 1 PX ttl NX and maps the reply', async () => {
    const calls: unknown[][] = [];
    const replies: ('OK' | null)[] = ['OK', null];
    const store = createRedisReplayStore({
      redis: {
        set: async (...args: unknown[]) => {
          calls.push(args);
          return replies.shift() ?? null;
        },
      },
      prefix: 'p:',
    });
    expect(await store.claim('k', 1500.2)).toBe(true);
    expect(await store.claim('k', 0)).toBe(false);
    expect(calls).toEqual([
      ['p:k', '1', 'PX', 1501, 'NX'],
      ['p:k', '1', 'PX', 1, 'NX'],
    ]);
  });

  it('fails closed on client errors, typed, with the client error as cause', async () => {
    const cause = new Error('connection lost');
    const store = createRedisReplayStore({
      redis: {
        set: async () => {
          throw cause;
        },
      },
    });
    await expect(store.claim('k', 1000)).rejects.toMatchObject({ code: 'webhook_replay_store_unavailable', cause });
  });
});

const url = redisUrl();

describe.skipIf(!url)('createRedisReplayStore against a real Redis', () => {
  let redis: Redis;
  const prefix = `test:webhooks:${Date.now()}:${Math.random().toString(36).slice(2)}:`;

  beforeAll(() => {
    redis = new Redis(url as string, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('claims a key once with SET NX PX and lets it expire', async () => {
    const store = createRedisReplayStore({ redis, prefix });
    expect(await store.claim('a', 60_000)).toBe(true);
    expect(await store.claim('a', 60_000)).toBe(false);
    const ttl = await redis.pttl(`${prefix}a`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await redis.pexpire(`${prefix}a`, 1);
    await redis.del(`${prefix}a`);
    expect(await store.claim('a', 60_000)).toBe(true);
  });

  it('rejects a replay across two verifiers sharing the store', async () => {
    const store = createRedisReplayStore({ redis, prefix });
    const one = createWebhookVerifier({ secrets: SECRET, clock: clockAt(), replayStore: store });
    const two = createWebhookVerifier({ secrets: SECRET, clock: clockAt(), replayStore: store });
    const headers = await sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC, id: `n${Date.now()}` });
    await expect(one.verify({ headers, body: 'x' })).resolves.toBeTruthy();
    expect((await rejection(two.verify({ headers, body: 'x' }))).code).toBe('webhook_replayed');
    expect(await redis.pttl(`${prefix}bulwark:${headers['bulwark-nonce']}`)).toBeGreaterThan(590_000);
  });
});
