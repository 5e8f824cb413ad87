import { EventEmitter } from 'node:events';
import { FakeClock, redisUrl } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, createRateLimiter } from '../src/index.js';
import { GCRA_SCRIPT, REFUND_SCRIPT } from '../src/redis/lua.js';
import { DECIDE_SHA, GCRA_SHA, REFUND_SHA } from '../src/redis/redis-store.js';
import { createRedisStore, type RedisScriptClient, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const url = redisUrl();
const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

describe.skipIf(!url)('createRedisStore', () => {
  let client: Redis;
  const run = `t${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    client = new Redis(url as string, redisClientOptions());
    await waitReady(client);
  });
  afterAll(async () => {
    const keys = await client.keys(`rl:{${run}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  function limiter(options: Parameters<typeof createRateLimiter>[0]) {
    return createRateLimiter({ deadlineMs: 1_000, store: createRedisStore({ client }), ...options });
  }

  it.each(ALL)('%s: allows exactly `limit`, then denies with a retry delay', async (algorithm) => {
    const l = limiter({ algorithm, limit: 5, windowMs: 60_000 });
    const key = `${run}:${algorithm}`;
    const decisions = [];
    for (let i = 0; i < 7; i++) decisions.push(await l.limit(key));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(decisions[5]).toMatchObject({ reason: 'limited', limit: 5 });
    expect(decisions[5]?.retryAfterMs).toBeGreaterThan(0);
    // The sliding window may wait for the next window and then for the decay: up to 2 windows.
    expect(decisions[5]?.retryAfterMs).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 120_000 : 60_000);
  });

  it.each(ALL)('%s: cost > 1, cost > limit and cost 0', async (algorithm) => {
    const l = limiter({ algorithm, limit: 10, windowMs: 60_000 });
    const key = `${run}:cost:${algorithm}`;
    expect(await l.limit(key, { cost: 11 })).toMatchObject({ allowed: false, remaining: 10, retryAfterMs: 60_000 });
    expect(await l.limit(key, { cost: 7 })).toMatchObject({ allowed: true, remaining: 3 });
    expect(await l.limit(key, { cost: 4 })).toMatchObject({ allowed: false, remaining: 3 });
    expect(await l.limit(key, { cost: 0 })).toMatchObject({ allowed: true, remaining: 3 });
  });

  it('refills GCRA on Redis time', async () => {
    const l = limiter({ limit: 2, windowMs: 100 });
    const key = `${run}:refill`;
    await l.limit(key);
    await l.limit(key);
    const denied = await l.limit(key);
    expect(denied.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, denied.retryAfterMs + 5));
    expect((await l.limit(key)).allowed).toBe(true);
  });

  it('decides several policies atomically in one script call', async () => {
    const l = limiter({
      policies: [
        { name: 'burst', limit: 2, windowMs: 60_000 },
        { name: 'hour', algorithm: 'fixed-window', limit: 100, windowMs: 3_600_000 },
      ],
    });
    const key = `${run}:multi`;
    await l.limit(key);
    await l.limit(key);
    const denied = await l.limit(key);
    expect(denied).toMatchObject({ allowed: false, policy: 'burst' });
    expect(denied.policies[1]).toMatchObject({ allowed: true, remaining: 98 });
  });

  it('uses hash-tagged keys and resets them', async () => {
    const store = createRedisStore({ client, prefix: 'rl:' });
    const l = createRateLimiter({ limit: 1, windowMs: 60_000, store });
    const key = `${run}:reset`;
    expect(store.keysFor(key, l.policies)).toEqual([`rl:{${key}}:default:1:1:60000`]);
    await l.limit(key);
    expect(await client.exists(`rl:{${key}}:default:1:1:60000`)).toBe(1);
    expect(await client.pttl(`rl:{${key}}:default:1:1:60000`)).toBeGreaterThan(60_000);
    expect((await l.limit(key)).allowed).toBe(false);
    await l.reset(key);
    expect((await l.limit(key)).allowed).toBe(true);
  });

  it('refuses a client that queues commands while disconnected', () => {
    const queued = new Redis(url as string, { lazyConnect: true });
    expect(() => createRedisStore({ client: queued })).toThrow(/`client.options.enableOfflineQueue`/);
    expect(() => createRedisStore({ client: {} as never })).toThrow(/`client`/);
    expect(() => createRedisStore({ client, prefix: 'a{b' })).toThrow(/`prefix`/);
    queued.disconnect();
  });

  it('redisClientOptions keeps enableOfflineQueue off even when overridden', () => {
    const options = redisClientOptions({ connectTimeout: 200, enableOfflineQueue: true });
    expect(options).toMatchObject({ enableOfflineQueue: false, connectTimeout: 200, maxRetriesPerRequest: 1 });
    expect(options.retryStrategy(1)).toBe(100);
    expect(options.retryStrategy(50)).toBe(1_000);
  });
});

/**
 * A client double: `evalsha` answers with `reply` (or rejects with it), `eval` records its calls
 * and answers one allowed GCRA decision (GCRA_SCRIPT: remaining, resetMs, retryAfterMs, time).
 */
function scriptedClient(evalsha: () => Promise<unknown>) {
  const evals: unknown[][] = [];
  const shas: unknown[][] = [];
  const client: RedisScriptClient = {
    options: { enableOfflineQueue: false },
    evalsha: (...args) => {
      shas.push(args);
      return evalsha();
    },
    eval: (...args) => {
      evals.push(args);
      return Promise.resolve([4, 200, 0, 1_700_000_000_000]);
    },
    del: () => Promise.resolve(0),
  };
  return { client, shas, evals };
}

describe('createRedisStore with a client double', () => {
  function limiterOn(client: RedisScriptClient) {
    return createRateLimiter({ limit: 5, windowMs: 1_000, store: createRedisStore({ client }), logger: { warn() {} } });
  }

  it('sends one EVALSHA of the cached SHA with the keys, cost and policy arguments', async () => {
    const { client, shas, evals } = scriptedClient(() => Promise.resolve([4, 200, 0, 1_700_000_000_000]));
    const limiter = limiterOn(client);
    const decision = await limiter.limit('k', { cost: 2 });
    expect(shas).toEqual([[GCRA_SHA, 1, 'rl:{k}:default:1:5:1000', '5', '1000', '0', '', '2']]);
    expect(evals).toEqual([]);
    expect(decision).toMatchObject({ allowed: true, reason: 'ok', remaining: 4, resetMs: 200 });
    expect(decision.policies[0]?.policy).toBe(limiter.policies[0]);
  });

  it('falls back to EVAL of the script text on NOSCRIPT', async () => {
    const noScript = new Error('NOSCRIPT No matching script. Please use EVAL.');
    const { client, evals } = scriptedClient(() => Promise.reject(noScript));
    const limiter = limiterOn(client);
    expect(await limiter.limit('k')).toMatchObject({ allowed: true, reason: 'ok' });
    expect(evals).toEqual([[GCRA_SCRIPT, 1, 'rl:{k}:default:1:5:1000', '5', '1000', '0', '', '1']]);
  });

  it('sends other algorithms and several policies to the general script', async () => {
    const { client, shas } = scriptedClient(() => Promise.resolve([1, 4, 200, 0, 1, 9, 100, 0, 1_700_000_000_000]));
    const store = createRedisStore({ client });
    const policies = createRateLimiter({
      policies: [
        { name: 'a', limit: 5, windowMs: 1_000 },
        { name: 'b', algorithm: 'fixed-window', limit: 10, windowMs: 60_000 },
      ],
    }).policies;
    await store.decide('k', policies, 1);
    expect(shas).toEqual([
      [
        DECIDE_SHA,
        2,
        'rl:{k}:a:1:5:1000',
        'rl:{k}:b:4:10:60000',
        '2',
        '1',
        '5',
        '1000',
        '4',
        '10',
        '60000',
        '0',
        '',
        '1',
      ],
    ]);
  });

  it('fails closed on any other script error, without retrying', async () => {
    const { client, evals } = scriptedClient(() => Promise.reject(new Error('BUSY Redis is busy running a script')));
    const limiter = limiterOn(client);
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
    expect(evals).toEqual([]);
  });

  it('fails closed on a malformed script reply', async () => {
    const { client } = scriptedClient(() => Promise.resolve([1, 4]));
    const limiter = limiterOn(client);
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
  });
});

describe('createRedisStore: deadline refusals, refunds and the first connection (client doubles)', () => {
  it('turns a script that ran after the deadline ([-1, time]) into store_timeout, consuming nothing', async () => {
    const { client } = scriptedClient(() => Promise.resolve([-1, 1_700_000_000_000]));
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      store: createRedisStore({ client }),
      logger: { warn() {} },
    });
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_timeout' });
  });

  it('refunds only outcomes it produced, and only a cost; EVALSHA first, EVAL on NOSCRIPT', async () => {
    let refundReply: () => Promise<unknown> = () => Promise.resolve(1);
    let decided = false;
    const { client, shas, evals } = scriptedClient(() => {
      if (!decided) {
        decided = true;
        return Promise.resolve([4, 200, 0, 1_700_000_000_000]);
      }
      return refundReply();
    });
    const store = createRedisStore({ client });
    const { policies } = createRateLimiter({ limit: 5, windowMs: 1_000 });
    const outcomes = await store.decide('k', policies, 1);
    await store.refund('k', policies, 0, outcomes);
    await store.refund('k', policies, 1, [{ allowed: true, remaining: 4, resetMs: 200, retryAfterMs: 0 }]);
    expect(shas).toHaveLength(1);
    const args = ['rl:{k}:default:1:5:1000', '1', '1700000000000', '1', '5', '1000'];
    await store.refund('k', policies, 1, outcomes);
    expect(shas[1]).toEqual([REFUND_SHA, 1, ...args]);
    refundReply = () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    await store.refund('k', policies, 1, outcomes);
    expect(evals).toEqual([[REFUND_SCRIPT, 1, ...args]]);
    refundReply = () => Promise.reject(new Error('READONLY You can not write against a read only replica.'));
    await expect(store.refund('k', policies, 1, outcomes)).rejects.toThrow(/READONLY/);
  });

  it('rejects a clock without now()', () => {
    const { client } = scriptedClient(() => Promise.resolve([]));
    expect(() => createRedisStore({ client, clock: {} as never })).toThrow(/`clock`/);
  });

  /** A client double with ioredis' connection states and events. */
  function connectingClient(status: string) {
    const events = new EventEmitter();
    const sent: unknown[][] = [];
    let connects = 0;
    const client = Object.assign(events, {
      status,
      options: { enableOfflineQueue: false },
      evalsha: (...args: unknown[]) => {
        sent.push(args);
        // One allowing outcome per decision of the batch (one GCRA key each).
        const decisions = Array.from({ length: args[1] as number }, () => [4, 200, 0]).flat();
        return client.status === 'ready'
          ? Promise.resolve([...decisions, 1_700_000_000_000])
          : Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
      },
      eval: () => Promise.reject(new Error('unused')),
      del: () => Promise.resolve(0),
      connect: () => {
        connects++;
        return Promise.resolve();
      },
    });
    return { client, sent, connects: () => connects };
  }

  it('waits for the first connection, then sends', async () => {
    const { client, sent } = connectingClient('connecting');
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      store: createRedisStore({ client }),
      deadlineMs: 1_000,
    });
    const pending = Promise.all([limiter.limit('k'), limiter.limit('k')]);
    await Promise.resolve();
    expect(sent).toEqual([]);
    expect(client.listenerCount('ready')).toBe(1);
    client.status = 'ready';
    client.emit('ready');
    expect((await pending).map((d) => d.reason)).toEqual(['ok', 'ok']);
    expect(client.listenerCount('ready') + client.listenerCount('error') + client.listenerCount('end')).toBe(0);
  });

  it('sends nothing for a caller whose deadline passed while the first connection was made', async () => {
    const { client, sent } = connectingClient('connecting');
    const clock = new FakeClock(0);
    const store = createRedisStore({ client, clock });
    const { policies } = createRateLimiter({ limit: 5, windowMs: 1_000 });
    const late = store.decide('k', policies, 1, 50);
    const inTime = store.decide('k', policies, 1, 200);
    const noDeadline = store.decide('k', policies, 1);
    clock.advance(60);
    client.status = 'ready';
    client.emit('ready');
    await expect(late).rejects.toMatchObject({ reason: 'store_timeout' });
    expect(await inTime).toHaveLength(1);
    expect(await noDeadline).toHaveLength(1);
    // The two sent decisions share one script call (same tick, same key); the late one is not in it.
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[1]).toBe(2);
  });

  it('connects a lazy client', async () => {
    const { client, connects } = connectingClient('wait');
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      store: createRedisStore({ client }),
      deadlineMs: 1_000,
    });
    const pending = limiter.limit('k');
    expect(connects()).toBe(1);
    client.status = 'ready';
    client.emit('ready');
    expect(await pending).toMatchObject({ reason: 'ok' });
  });

  it.each(['error', 'end'])('fails the waiting decisions when the first connection ends with %s', async (event) => {
    const { client, sent } = connectingClient('connecting');
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      store: createRedisStore({ client }),
      deadlineMs: 1_000,
      logger: { warn() {} },
    });
    const pending = limiter.limit('k');
    await Promise.resolve();
    client.status = 'reconnecting';
    client.emit(event, event === 'error' ? new Error('ECONNREFUSED') : undefined);
    expect(await pending).toMatchObject({ allowed: false, reason: 'store_unavailable' });
    // Past the first connection: later decisions are sent at once and fail fast.
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
    expect(sent).toHaveLength(1);
  });

  it('does not wait for a reconnect, nor on a client without events', async () => {
    const reconnecting = connectingClient('reconnecting');
    const store = createRedisStore({ client: reconnecting.client });
    const { policies } = createRateLimiter({ limit: 5, windowMs: 1_000 });
    await expect(store.decide('k', policies, 1)).rejects.toThrow(/enableOfflineQueue/);
    const { client } = scriptedClient(() => Promise.resolve([4, 200, 0, 1_700_000_000_000]));
    const plain = createRedisStore({ client: Object.assign(client, { status: 'connecting' }) });
    expect(await plain.decide('k', policies, 1)).toHaveLength(1);
  });
});
