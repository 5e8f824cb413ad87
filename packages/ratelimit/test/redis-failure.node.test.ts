import { freePort, type OwnRedis, startOwnRedis } from '@bulwark/testing/own-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, type Decision, type RateLimiter } from '../src/index.js';
import { createRedisStore, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const DEADLINE = 100;
const SLACK = 20;

async function timed(limiter: RateLimiter, key: string): Promise<{ decision: Decision; ms: number }> {
  const started = performance.now();
  const decision = await limiter.limit(key);
  return { decision, ms: performance.now() - started };
}

/**
 * Runs n concurrent calls and a control timer of DEADLINE ms started at the same moment. The
 * control's lateness is the event-loop lag of this (shared, busy) test process, which no limiter
 * can beat; decisions must arrive within DEADLINE + SLACK + that lag.
 */
async function burst(limiter: RateLimiter, key: string, n: number) {
  const started = performance.now();
  const control = new Promise<number>((resolve) =>
    setTimeout(() => resolve(Math.max(0, performance.now() - started - DEADLINE)), DEADLINE),
  );
  const results = await Promise.all(Array.from({ length: n }, () => timed(limiter, key)));
  const lag = await control;
  return results.map((r) => ({ ...r, ms: r.ms - lag }));
}

function quiet() {
  return { warn: () => {} };
}

// These tests start their own redis-server (they pause, kill and restart it).
describe('Redis store failures: fail closed within the deadline', () => {
  let redis: OwnRedis;
  let client: Redis;
  let limiter: RateLimiter;

  beforeAll(async () => {
    redis = await startOwnRedis();
    client = new Redis(redis.url, redisClientOptions({ retryStrategy: () => 20 }));
    client.on('error', () => {});
    await waitReady(client);
    limiter = createRateLimiter({
      limit: 1_000,
      windowMs: 60_000,
      store: createRedisStore({ client }),
      logger: quiet(),
    });
  });
  afterAll(async () => {
    client.disconnect();
    await redis.kill();
  });

  it('answers normally first', async () => {
    expect((await limiter.limit('k')).reason).toBe('ok');
  });

  it('denies with store_timeout while Redis is paused (DEBUG SLEEP), then recovers', async () => {
    const admin = new Redis(redis.url);
    admin.on('error', () => {});
    await waitReady(admin);
    const sleeping = admin.call('DEBUG', 'SLEEP', '0.5');
    await new Promise((r) => setTimeout(r, 20));
    const results = await burst(limiter, 'k', 20);
    for (const { decision, ms } of results) {
      expect(decision).toMatchObject({ allowed: false, reason: 'store_timeout' });
      expect(ms).toBeLessThan(DEADLINE + SLACK);
    }
    await sleeping;
    admin.disconnect();
    expect((await limiter.limit('k')).reason).toBe('ok');
    expect(limiter.healthy).toBe(true);
  });

  it('denies in-flight and later calls when Redis is killed, then recovers after a restart', async () => {
    const admin = new Redis(redis.url);
    admin.on('error', () => {});
    await waitReady(admin);
    const sleeping = admin.call('DEBUG', 'SLEEP', '2').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    const inFlight = burst(limiter, 'k', 20);
    await redis.kill();
    admin.disconnect();
    void sleeping;
    for (const { decision, ms } of await inFlight) {
      expect(decision.allowed).toBe(false);
      expect(['store_timeout', 'store_unavailable']).toContain(decision.reason);
      expect(ms).toBeLessThan(DEADLINE + SLACK);
    }
    for (const { decision, ms } of await burst(limiter, 'k', 20)) {
      expect(decision).toMatchObject({ allowed: false });
      expect(['store_timeout', 'store_unavailable']).toContain(decision.reason);
      expect(ms).toBeLessThan(DEADLINE + SLACK);
    }
    await redis.start();
    await waitReady(client);
    const after = await limiter.limit('fresh');
    expect(after).toMatchObject({ allowed: true, reason: 'ok', remaining: 999 });
    expect(limiter.healthy).toBe(true);
  });

  it('denies with store_unavailable at once on a closed port', async () => {
    const port = await freePort();
    const dead = new Redis(`redis://127.0.0.1:${port}`, redisClientOptions({ retryStrategy: () => 50 }));
    dead.on('error', () => {});
    const l = createRateLimiter({
      limit: 10,
      windowMs: 1_000,
      store: createRedisStore({ client: dead }),
      logger: quiet(),
    });
    await new Promise((r) => setTimeout(r, 30));
    for (const { decision, ms } of await burst(l, 'k', 20)) {
      expect(decision).toMatchObject({ allowed: false, reason: 'store_unavailable', policies: [] });
      expect(ms).toBeLessThan(DEADLINE + SLACK);
    }
    dead.disconnect();
  });

  it('falls back to EVAL after SCRIPT FLUSH (NOSCRIPT)', async () => {
    await client.script('FLUSH');
    expect((await limiter.limit('after-flush')).reason).toBe('ok');
    expect((await limiter.limit('after-flush')).reason).toBe('ok');
  });
});
