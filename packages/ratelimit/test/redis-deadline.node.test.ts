import { spawnSync } from 'node:child_process';
import { redisUrl } from '@bulwark/testing';
import { type OwnRedis, startOwnRedis } from '@bulwark/testing/own-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, createRateLimiter, type RateLimiter } from '../src/index.js';
import { createRedisStore, type RedisStore, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];
const quiet = { warn() {} };

/** Waits until every reply sent on `client` so far, and what its handlers sent in turn, has been answered. */
async function drain(client: Redis): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await client.ping();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// A private redis-server: these tests stall it with DEBUG SLEEP.
describe('a caller denied at the deadline while Redis stalls is never charged', () => {
  let redis: OwnRedis;
  let client: Redis;
  let admin: Redis;
  let n = 0;

  beforeAll(async () => {
    redis = await startOwnRedis();
    client = new Redis(redis.url, redisClientOptions());
    admin = new Redis(redis.url);
    await Promise.all([waitReady(client), waitReady(admin)]);
  });
  afterAll(async () => {
    client.disconnect();
    admin.disconnect();
    await redis.kill();
  });

  /** Five calls in flight while Redis sleeps 1 s: each denied at the deadline; then the budget must be whole. */
  async function stallThenSpend(limiter: RateLimiter, key: string): Promise<boolean[]> {
    const sleeping = admin.call('DEBUG', 'SLEEP', '1');
    await new Promise((r) => setTimeout(r, 20));
    const during = await Promise.all(Array.from({ length: 5 }, () => limiter.limit(key)));
    for (const d of during) expect(d).toMatchObject({ allowed: false, reason: 'store_timeout' });
    await sleeping;
    await drain(client);
    const after = [];
    for (let i = 0; i < 6; i++) after.push((await limiter.limit(key)).allowed);
    return after;
  }

  function limiterOn(store: RedisStore, algorithm: Algorithm = 'gcra'): RateLimiter {
    // 400 ms: far below the 1 s stall, and room for a loaded test machine once Redis is back.
    return createRateLimiter({ algorithm, limit: 5, windowMs: 60_000, store, deadlineMs: 400, logger: quiet });
  }

  it('the script refuses to charge after the deadline (offset to Redis time known)', async () => {
    const store = createRedisStore({ client, prefix: `dl${n++}:` });
    const limiter = limiterOn(store);
    // Any reply, even a late one, gives the store its offset to Redis time.
    for (let i = 0; i < 10 && (await limiter.limit('warm')).reason !== 'ok'; i++);
    expect((await limiter.limit('warm')).reason).toBe('ok');
    expect(await stallThenSpend(limiter, 'k')).toEqual([true, true, true, true, true, false]);
  });

  it.each(ALL)(
    '%s: a late charge is refunded (no offset known yet: the script charges, the reply comes late)',
    async (algorithm) => {
      const store = createRedisStore({ client, prefix: `dl${n++}:` });
      expect(await stallThenSpend(limiterOn(store, algorithm), 'k')).toEqual([true, true, true, true, true, false]);
    },
  );

  it('decides all of a 1,000-call burst whose replies arrived while the host was too busy to read them before the deadline', async () => {
    const windowMs = 366 * 24 * 3_600_000;
    const store = createRedisStore({ client, prefix: `busy${n++}:` });
    const deadlineMs = 500;
    const limiter = createRateLimiter({
      algorithm: 'fixed-window',
      limit: 2_000,
      windowMs,
      store,
      deadlineMs,
      logger: quiet,
    });
    await limiter.limit('warm');
    const [key] = store.keysFor('k', limiter.policies) as [string];
    // Redis answers 300 ms from now, within the deadline; this thread is busy from before then
    // until after every deadline, so the replies wait in the socket buffer until the deadlines fired.
    const sleeping = admin.call('DEBUG', 'SLEEP', '0.3');
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    const burst = Array.from({ length: 1_000 }, () => limiter.limit('k'));
    // Until the decisions are on the wire: sent (ioredis' queue of commands awaiting replies) and flushed.
    const { stream, commandQueue } = client as unknown as {
      stream: { writableLength: number };
      commandQueue: { length: number };
    };
    do await new Promise((resolve) => setImmediate(resolve));
    while ((commandQueue.length === 0 || stream.writableLength > 0) && performance.now() < started + 200);
    const waited = spawnSync(
      'sh',
      [
        '-c',
        'until [ "$(redis-cli -p "$0" --raw GET "$1" | cut -d" " -f2)" = 1000 ]; do sleep 0.01; done',
        String(redis.port),
        key,
      ],
      { timeout: 10_000 },
    );
    expect(waited.status).toBe(0);
    while (performance.now() < started + deadlineMs + 20) {
      // still busy: every deadline passes before this thread reads a reply
    }
    const decisions = await Promise.all(burst);
    await sleeping;
    const reasons = new Map<string, number>();
    for (const d of decisions) reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
    expect(Object.fromEntries(reasons)).toEqual({ ok: 1_000 });
  });

  it('refunds every policy of a multi-policy decision', async () => {
    const store = createRedisStore({ client, prefix: `dl${n++}:` });
    const limiter = createRateLimiter({
      policies: [
        { name: 'burst', limit: 5, windowMs: 60_000 },
        { name: 'window', algorithm: 'sliding-window', limit: 7, windowMs: 60_000 },
      ],
      store,
      deadlineMs: 400,
      logger: quiet,
    });
    expect(await stallThenSpend(limiter, 'k')).toEqual([true, true, true, true, true, false]);
    expect((await limiter.limit('k')).policies[1]).toMatchObject({ allowed: true, remaining: 2 });
  });
});

const url = redisUrl();

describe.skipIf(!url)("a new process's first decisions", () => {
  const run = `first${process.pid}-${Date.now()}`;
  const clients: Redis[] = [];

  afterAll(async () => {
    const admin = new Redis(url as string);
    const keys = await admin.keys(`${run}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
    for (const c of clients) c.disconnect();
  });

  it.each([
    ['a fresh client (still connecting)', {}],
    ['a lazy client (not connecting yet)', { lazyConnect: true }],
  ])('are made by Redis with %s', async (_, extra) => {
    const client = new Redis(url as string, redisClientOptions(extra));
    clients.push(client);
    const limiter = createRateLimiter({
      limit: 10,
      windowMs: 60_000,
      store: createRedisStore({ client, prefix: `${run}:${clients.length}:` }),
      deadlineMs: 2_000,
      logger: quiet,
    });
    const first = await Promise.all([limiter.limit('u'), limiter.limit('u'), limiter.limit('u')]);
    expect(first.map((d) => d.reason)).toEqual(['ok', 'ok', 'ok']);
    expect(first.map((d) => d.remaining).sort()).toEqual([7, 8, 9]);
  });
});

describe.skipIf(!url)('a closed client with calls in flight', () => {
  const run = `closed${process.pid}-${Date.now()}`;

  afterAll(async () => {
    const admin = new Redis(url as string);
    const keys = await admin.keys(`${run}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it.each(['disconnect', 'quit'] as const)('fails closed, typed, within the deadline after %s()', async (close) => {
    const client = new Redis(url as string, redisClientOptions());
    client.on('error', () => {});
    await waitReady(client);
    const limiter = createRateLimiter({
      limit: 1_000,
      windowMs: 60_000,
      store: createRedisStore({ client, prefix: `${run}:${close}:` }),
      deadlineMs: 100,
      logger: quiet,
    });
    const started = performance.now();
    // A control timer of the same length measures this (shared, busy) process's own lag.
    const lag = new Promise<number>((resolve) =>
      setTimeout(() => resolve(Math.max(0, performance.now() - started - 100)), 100),
    );
    const inFlight = Promise.all(Array.from({ length: 50 }, (_, i) => limiter.limit(`k${i % 5}`)));
    if (close === 'quit') void client.quit().catch(() => undefined);
    else client.disconnect();
    const decisions = await inFlight;
    const elapsed = performance.now() - started;
    expect(elapsed - (await lag)).toBeLessThan(100 + 20);
    for (const d of decisions) {
      // Commands already written may still be answered; nothing is left hanging or thrown.
      expect(['ok', 'store_unavailable', 'store_timeout']).toContain(d.reason);
      expect(d.allowed).toBe(d.reason === 'ok');
    }
    await new Promise((resolve) => setImmediate(resolve));
    const after = await limiter.limit('k0');
    expect(after).toMatchObject({ allowed: false, reason: 'store_unavailable', policies: [] });
  });
});
