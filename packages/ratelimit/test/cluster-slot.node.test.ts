import { clusterSlot, crc16, redisUrl } from '@bulwark/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.js';
import { createRedisStore, type RedisScriptClient, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const offline: RedisScriptClient = {
  options: { enableOfflineQueue: false },
  evalsha: () => Promise.reject(new Error('offline')),
  eval: () => Promise.reject(new Error('offline')),
  del: () => Promise.resolve(0),
};

/** A limiter with three policies: a decision touches three Redis keys. */
const { policies } = createRateLimiter({
  policies: [
    { name: 'second', limit: 5, windowMs: 1_000 },
    { name: 'minute', algorithm: 'sliding-window', limit: 50, windowMs: 60_000 },
    { name: 'day', algorithm: 'fixed-window', limit: 500, windowMs: 86_400_000 },
  ],
});

/** Strings rich in what means something to Redis keys: braces, the escape, separators, lone surrogates. */
const hostileKey = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1 }),
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('{', '}', '\\', ':', '\n', '\r', ' ', '\0', '\uD800', '\uDC00', '\uFFFD', '😀', 'é'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 40,
  }),
);

describe('the cluster slot function of the tests', () => {
  it('matches the specification and Redis', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x31c3);
    expect(clusterSlot('foo')).toBe(12182);
    expect(clusterSlot('hello')).toBe(866);
    expect(clusterSlot('{user1000}.following')).toBe(clusterSlot('{user1000}.followers'));
    // An empty tag hashes the whole key; only the first `{` and the first `}` after it count.
    expect(clusterSlot('foo{}{bar}')).toBe(crc16(new TextEncoder().encode('foo{}{bar}')) & 16383);
    expect(clusterSlot('foo{{bar}}zap')).toBe(clusterSlot('{bar'));
    expect(clusterSlot('foo{bar}{zap}')).toBe(clusterSlot('bar'));
  });
});

describe('Redis keys of a decision, for any key', () => {
  const store = createRedisStore({ client: offline, prefix: 'rl:' });

  it('property: every key of one decision is in one cluster slot', () => {
    fc.assert(
      fc.property(hostileKey, (key) => {
        const slots = new Set(store.keysFor(key, policies).map(clusterSlot));
        expect(slots.size).toBe(1);
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: distinct keys never share a Redis key, and every Redis key survives UTF-8', () => {
    fc.assert(
      fc.property(hostileKey, hostileKey, (a, b) => {
        const ka = store.keysFor(a, policies);
        const kb = store.keysFor(b, policies);
        if (a !== b) for (let i = 0; i < ka.length; i++) expect(ka[i]).not.toBe(kb[i]);
        for (const k of [...ka, ...kb]) expect(new TextDecoder().decode(new TextEncoder().encode(k))).toBe(k);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the names of keys without `\\`, `}` or lone surrogates (stored state carries over)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }).filter((k) => !/[\\}]/.test(k)),
        (key) => {
          expect(store.keysFor(key, policies)[0]).toBe(`rl:{${key}}:second:1:5:1000`);
        },
      ),
    );
  });

  it('escapes the key found to split a decision across slots', () => {
    // Before: `rl:{}x}:…` has an empty tag, so each policy's whole key was hashed (CROSSSLOT).
    expect(store.keysFor('}x', policies)[0]).toBe('rl:{\\]x}:second:1:5:1000');
    expect(store.keysFor('a\\]', policies)[0]).toBe('rl:{a\\\\]}:second:1:5:1000');
    expect(store.keysFor('\uD800', policies)[0]).toBe('rl:{\\uD800}:second:1:5:1000');
  });
});

const url = redisUrl();

describe.skipIf(!url)('hostile keys on Redis', () => {
  let client: Redis;
  const prefix = `hostile${process.pid}-${Date.now()}:`;

  beforeAll(async () => {
    client = new Redis(url as string, redisClientOptions());
    await waitReady(client);
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('decides braces, newlines, huge, unicode and lone-surrogate keys, each in its own state', async () => {
    const limiter = createRateLimiter({
      policies: [
        { name: 'a', limit: 1, windowMs: 60_000 },
        { name: 'b', algorithm: 'sliding-window', limit: 10, windowMs: 60_000 },
      ],
      store: createRedisStore({ client, prefix }),
      deadlineMs: 2_000,
      logger: { warn() {} },
    });
    const keys = [
      '}x',
      '{',
      '{}',
      'a}b',
      'a\\]b',
      'a\\}b',
      'line\nbreak',
      'x'.repeat(100_000),
      '😀',
      '\uD800',
      '\uDC00',
      '\uFFFD',
    ];
    const first = await Promise.all(keys.map((k) => limiter.limit(k)));
    expect(first.map((d) => d.reason)).toEqual(keys.map(() => 'ok'));
    const second = await Promise.all(keys.map((k) => limiter.limit(k)));
    expect(second.map((d) => d.reason)).toEqual(keys.map(() => 'limited'));
  });
});
