import { redisUrl } from '@bulwark/testing';
import { type OwnRedis, startOwnRedis } from '@bulwark/testing/own-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotency, withIdempotency } from '../src/index.js';
import { createRedisStore, type RedisScriptClient } from '../src/redis.js';
import { storeConformance } from './support/store-conformance.js';

const url = redisUrl();
if (!url) throw new Error('REDIS_URL is required for the Redis store tests');
const clientOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false } as const;
const client = new Redis(url, clientOptions);
const prefix = `idem-test-${process.pid}-${Date.now()}:`;
const store = createRedisStore({ client, prefix });
beforeAll(() => ready(client));
afterAll(async () => {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
});

storeConformance('redis', () => store);

/** Resolves once the client is connected (with no offline queue, commands before that fail). */
function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) calls[match[1] as string] = Number(match[2]);
  return calls;
}

describe('createRedisStore', () => {
  let own: OwnRedis;
  let counted: Redis;
  let admin: Redis;
  beforeAll(async () => {
    own = await startOwnRedis();
    counted = new Redis(own.url, clientOptions);
    admin = new Redis(own.url);
    await ready(counted);
  });
  afterAll(async () => {
    counted.disconnect();
    admin.disconnect();
    await own.kill();
  });

  it('keys every record as <prefix>{<64 hex>}: one Cluster slot per key, whatever the caller key holds', async () => {
    const keys: string[] = [];
    const spy: RedisScriptClient = {
      options: { enableOfflineQueue: false },
      evalsha: (sha, n, ...args) => {
        keys.push(String(args[0]));
        return client.evalsha(sha, n, ...args);
      },
      eval: (script, n, ...args) => client.eval(script, n, ...args),
    };
    const idempotency = createIdempotency({ store: createRedisStore({ client: spy, prefix }) });
    for (const hostile of ['{a}', '}{', 'x{y}z', '{}', 'plain']) await idempotency.run(hostile, () => 1);
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}\\{[0-9a-f]{64}\\}$`));
  });

  it('replays with one Redis command per request (EVALSHA) and executes with two', async () => {
    const idempotency = createIdempotency({ store: createRedisStore({ client: counted }) });
    await idempotency.run('warm', () => 1); // loads the scripts (NOSCRIPT → EVAL) once
    await admin.config('RESETSTAT');
    await idempotency.run('rt', () => 'v');
    const afterFirst = await commandCalls(admin);
    await admin.config('RESETSTAT');
    for (let i = 0; i < 10; i++) await idempotency.run('rt', () => 'v');
    const afterReplays = await commandCalls(admin);
    expect(afterFirst.evalsha).toBe(2);
    expect(afterReplays.evalsha).toBe(10);
    expect(afterReplays.eval ?? 0).toBe(0);
  });

  it('recovers from SCRIPT FLUSH (NOSCRIPT falls back to EVAL)', async () => {
    const idempotency = createIdempotency({ store: createRedisStore({ client: counted }) });
    await admin.script('FLUSH');
    expect((await idempotency.run('flushed', () => 'ok')).value).toBe('ok');
  });

  it('a stalled Redis (CLIENT PAUSE) fails closed within the deadline: 503, the handler never runs', async () => {
    const idempotency = createIdempotency({ store: createRedisStore({ client: counted }), deadlineMs: 150 });
    let runs = 0;
    const fetch = withIdempotency(idempotency, () => {
      runs++;
      return new Response('ran', { status: 201 });
    });
    const request = () =>
      new Request('http://api.test/x', { method: 'POST', body: 'b', headers: { 'idempotency-key': '"paused"' } });
    // Order, not wall-clock time: a PING sent as the pause begins is answered only when Redis
    // resumes, and every response must be in before it (a loaded machine cannot reorder that).
    await admin.client('PAUSE', 2_000, 'ALL');
    const order: string[] = [];
    const resumed = admin.ping().then(() => order.push('redis resumed'));
    const responses = await Promise.all(Array.from({ length: 20 }, () => fetch(request())));
    order.push('answered');
    await resumed;
    expect(order).toEqual(['answered', 'redis resumed']);
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(503));
    expect(((await (responses[0] as Response).json()) as { code: string }).code).toBe('idempotency_store_unavailable');
    expect(runs).toBe(0);
    // The paused claims ran once Redis resumed; the one that acquired is released as it lands,
    // so the retry proceeds (without waiting for lockTtlMs) and runs the handler exactly once.
    let after = await fetch(request());
    for (let attempt = 0; after.status === 409 && attempt < 200; attempt++) after = await fetch(request());
    expect(after.status).toBe(201);
    expect(runs).toBe(1);
    expect((await fetch(request())).headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('a closed Redis fails closed at once (no offline queue)', async () => {
    const closed = new Redis('redis://127.0.0.1:1', { ...clientOptions, lazyConnect: true, retryStrategy: () => null });
    const idempotency = createIdempotency({ store: createRedisStore({ client: closed }), deadlineMs: 500 });
    await expect(idempotency.run('k', () => 1)).rejects.toMatchObject({ code: 'idempotency_store_unavailable' });
    closed.disconnect();
  });

  it('an unexpected script reply or a failing EVAL fails closed (503)', async () => {
    for (const evalsha of [
      () => Promise.resolve('garbage'),
      () => Promise.resolve([1, 'fp']),
      () => Promise.resolve([3, 'fp', 'x']),
      () => Promise.reject(new Error('NOSCRIPT No matching script')),
    ]) {
      const fake: RedisScriptClient = {
        options: { enableOfflineQueue: false },
        evalsha,
        eval: () => Promise.reject(new Error('ERR scripting disabled')),
      };
      const idempotency = createIdempotency({ store: createRedisStore({ client: fake }) });
      await expect(idempotency.run('k', () => 1)).rejects.toMatchObject({ code: 'idempotency_store_unavailable' });
    }
  });

  it('validates its options', () => {
    expect(() => createRedisStore({ client: {} as RedisScriptClient })).toThrow(/`client`/);
    expect(() => createRedisStore({ client: new Redis({ lazyConnect: true }) })).toThrow(/enableOfflineQueue/);
    expect(() => createRedisStore({ client, prefix: 'a{b' })).toThrow(/`prefix`/);
  });
});
