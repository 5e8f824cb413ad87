import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.js';
import { MAX_BATCH } from '../src/redis/decision-batch.js';
import { GCRA_SCRIPT } from '../src/redis/lua.js';
import { GCRA_SHA } from '../src/redis/redis-store.js';
import { createRedisStore, type RedisScriptClient } from '../src/redis.js';

const T = 1_700_000_000_000;

/**
 * A client double that records each script call and answers every decision of a GCRA batch as
 * allowed with `remaining` = its position in the batch, so each caller's outcome shows which
 * reply slot it got (GCRA_SCRIPT's reply: remaining, resetMs, retryAfterMs per decision).
 */
function batchClient(options: { isCluster?: boolean; reply?: (keys: number, sha: unknown) => Promise<unknown> } = {}) {
  const calls: unknown[][] = [];
  const evals: unknown[][] = [];
  const answer = (keys: number) => [...Array.from({ length: keys }, (_, d) => [d, 100, 0]).flat(), T];
  const client: RedisScriptClient = {
    options: { enableOfflineQueue: false },
    ...(options.isCluster === undefined ? {} : { isCluster: options.isCluster }),
    evalsha: (...args) => {
      calls.push(args);
      return options.reply ? options.reply(args[1], args[0]) : Promise.resolve(answer(args[1]));
    },
    eval: (...args) => {
      evals.push(args);
      return Promise.resolve(answer(args[1]));
    },
    del: () => Promise.resolve(0),
  };
  return { client, calls, evals };
}

function limiterOn(client: RedisScriptClient, deadlineMs = 1_000) {
  return createRateLimiter({
    limit: 5,
    windowMs: 1_000,
    store: createRedisStore({ client }),
    deadlineMs,
    logger: { warn() {} },
  });
}

describe('Redis store: decisions of one tick share one script call', () => {
  it('sends a same-tick burst as one EVALSHA, keys and costs in call order, each caller getting its own outcome', async () => {
    const { client, calls } = batchClient({ isCluster: false });
    const limiter = limiterOn(client);
    const decisions = await Promise.all([
      limiter.limit('a'),
      limiter.limit('b', { cost: 3 }),
      limiter.limit('a', { cost: 0 }),
    ]);
    expect(calls).toEqual([
      [
        GCRA_SHA,
        3,
        'rl:{a}:default:1:5:1000',
        'rl:{b}:default:1:5:1000',
        'rl:{a}:default:1:5:1000',
        '5',
        '1000',
        '0',
        '',
      ].concat(['1', '3', '0']),
    ]);
    expect(decisions.map((d) => d.remaining)).toEqual([0, 1, 2]);
  });

  it('sends the cost once when every decision of the batch has it', async () => {
    const { client, calls } = batchClient({ isCluster: false });
    const limiter = limiterOn(client);
    await Promise.all([
      limiter.limit('a', { cost: 2 }),
      limiter.limit('b', { cost: 2 }),
      limiter.limit('a', { cost: 2 }),
    ]);
    await Promise.all([limiter.limit('a'), limiter.limit('b')]);
    // After the limit and window: the deadline, no time override (''), then the costs.
    expect(calls.map((c) => c.slice(2 + (c[1] as number) + 3))).toEqual([
      ['', '2'],
      ['', '1'],
    ]);
  });

  it('reads a GCRA denial from its retryAfterMs and a general batch from its allowed flags', async () => {
    const { client } = batchClient({
      isCluster: false,
      reply: (_keys, sha) =>
        Promise.resolve(sha === GCRA_SHA ? [0, 900, 700, 3, 100, 0, T] : [0, 0, 1000, 900, 1, 4, 500, 0, T]),
    });
    const gcra = limiterOn(client);
    const [denied, allowed] = await Promise.all([gcra.limit('a'), gcra.limit('b')]);
    expect([denied?.allowed, denied?.retryAfterMs, denied?.resetMs]).toEqual([false, 700, 900]);
    expect([allowed?.allowed, allowed?.remaining]).toEqual([true, 3]);
    const windows = createRateLimiter({
      policies: [
        { name: 'a', limit: 5, windowMs: 1_000, algorithm: 'fixed-window' },
        { name: 'b', limit: 5, windowMs: 1_000, algorithm: 'fixed-window' },
      ],
      store: createRedisStore({ client }),
      logger: { warn() {} },
    });
    const decision = await windows.limit('x');
    expect([decision.allowed, decision.policy, decision.retryAfterMs]).toEqual([false, 'a', 900]);
    expect(decision.policies.map((p) => p.allowed)).toEqual([false, true]);
  });

  it('sends decisions of different ticks, and a lone decision, as separate calls', async () => {
    const { client, calls } = batchClient({ isCluster: false });
    const limiter = limiterOn(client);
    await limiter.limit('a');
    await Promise.all([limiter.limit('a'), limiter.limit('b')]);
    await limiter.limit('b');
    expect(calls.map((c) => c[1])).toEqual([1, 2, 1]);
  });

  it('keeps one call to one hash tag for a Cluster client, or a client that does not say', async () => {
    for (const isCluster of [true, undefined]) {
      const { client, calls } = batchClient(isCluster === undefined ? {} : { isCluster });
      const limiter = limiterOn(client);
      const decisions = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((key) => limiter.limit(key)));
      expect(calls.map((c) => c.slice(2, 2 + (c[1] as number)))).toEqual([
        ['rl:{a}:default:1:5:1000', 'rl:{a}:default:1:5:1000'],
        ['rl:{b}:default:1:5:1000', 'rl:{b}:default:1:5:1000'],
        ['rl:{c}:default:1:5:1000'],
      ]);
      expect(decisions.map((d) => d.remaining)).toEqual([0, 0, 1, 0, 1]);
    }
  });

  it('follows crossSlotBatches over what the client says, and validates it', async () => {
    const { client, calls } = batchClient({ isCluster: true });
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      store: createRedisStore({ client, crossSlotBatches: true }),
    });
    await Promise.all([limiter.limit('a'), limiter.limit('b')]);
    expect(calls.map((c) => c[1])).toEqual([2]);
    expect(() => createRedisStore({ client, crossSlotBatches: 'yes' as never })).toThrow(/`crossSlotBatches`/);
  });

  it(`splits a burst of more than ${MAX_BATCH} decisions into calls of at most ${MAX_BATCH}`, async () => {
    const { client, calls } = batchClient({ isCluster: false });
    const limiter = limiterOn(client);
    const decisions = await Promise.all(Array.from({ length: MAX_BATCH + 44 }, () => limiter.limit('hot')));
    expect(calls.map((c) => c[1])).toEqual([MAX_BATCH, 44]);
    expect(decisions.at(-1)?.remaining).toBe(43);
  });

  it("gives a batch its earliest caller's deadline, and never mixes decisions with and without one", async () => {
    const { client, calls } = batchClient({ isCluster: false });
    const clock = new FakeClock(0);
    const store = createRedisStore({ client, clock });
    const { policies } = createRateLimiter({ limit: 5, windowMs: 1_000 });
    await store.decide('warm', policies, 1, 100); // the reply's Redis time T read at host time 0: offset T - 1
    calls.length = 0;
    await Promise.all([
      store.decide('a', policies, 1, 300),
      store.decide('b', policies, 1, 200),
      store.decide('c', policies, 1, 400),
      store.decide('d', policies, 1),
    ]);
    const deadlineOf = (call: unknown[]) => call[2 + (call[1] as number) + 2];
    expect(calls.map((c) => [c[1], deadlineOf(c)])).toEqual([
      [3, String(T - 1 + 200)],
      [1, '0'],
    ]);
  });

  it('fails every decision of a batch alike: deadline passed, malformed reply, script error; EVAL on NOSCRIPT', async () => {
    const burst = async (reply: (keys: number) => Promise<unknown>) => {
      const limiter = limiterOn(batchClient({ isCluster: false, reply }).client);
      return (await Promise.all(['a', 'b', 'c'].map((key) => limiter.limit(key)))).map((d) => d.reason);
    };
    expect(await burst(() => Promise.resolve([-1, T]))).toEqual(Array(3).fill('store_timeout'));
    expect(await burst(() => Promise.resolve([0, 100, 0, T]))).toEqual(Array(3).fill('store_unavailable'));
    expect(await burst(() => Promise.reject(new Error('BUSY Redis is busy')))).toEqual(
      Array(3).fill('store_unavailable'),
    );
    const noScript = batchClient({
      isCluster: false,
      reply: () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')),
    });
    const limiter = limiterOn(noScript.client);
    const decisions = await Promise.all(['a', 'b'].map((key) => limiter.limit(key)));
    expect(decisions.map((d) => [d.reason, d.remaining])).toEqual([
      ['ok', 0],
      ['ok', 1],
    ]);
    expect(noScript.evals.map((c) => [c[0], c[1]])).toEqual([[GCRA_SCRIPT, 2]]);
  });
});
