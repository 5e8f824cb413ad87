import { FakeClock, redisUrl } from '@bulwark/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, createMemoryStore, createRateLimiter, type PolicyOutcome } from '../src/index.js';
import { ALGORITHM_IDS, DECIDE_SCRIPT, GCRA_SCRIPT, REFUND_SCRIPT } from '../src/redis/lua.js';
import { createRedisStore, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const url = redisUrl();
const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

/**
 * The Lua scripts and the memory store implement the same algorithms twice. With the scripts'
 * test-only time override, both see the same instants, so their answers must be identical; a
 * batch of decisions in one script call is decided as the memory store decides them in order.
 */
describe.skipIf(!url)('Lua script parity with the memory store', () => {
  let client: Redis;
  let sha: string;
  let gcraSha: string;
  let run = 0;

  beforeAll(async () => {
    client = new Redis(url as string, redisClientOptions());
    await waitReady(client);
    sha = (await client.script('LOAD', DECIDE_SCRIPT)) as string;
    gcraSha = (await client.script('LOAD', GCRA_SCRIPT)) as string;
  });
  afterAll(async () => {
    const keys = await client.keys(`parity${process.pid}:*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  const policyArb = fc.record({
    algorithm: fc.constantFrom(...ALL),
    limit: fc.integer({ min: 1, max: 20 }),
    windowMs: fc.integer({ min: 10_000, max: 120_000 }),
  });

  /** One decision of a batch: which of two keys, and its cost. */
  const decisionArb = fc.record({ key: fc.constantFrom('k', 'j'), cost: fc.integer({ min: 0, max: 22 }) });
  /** Between batches, time advances; a batch holds 1–6 decisions made at one instant. */
  const stepsArb = fc.array(
    fc.record({
      advance: fc.integer({ min: 0, max: 150_000 }),
      batch: fc.array(decisionArb, { minLength: 1, maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 15 },
  );

  /** The general script's reply as outcomes, `n` per decision, without the time it ends with. */
  function outcomesOf(reply: number[], decisions: number, n: number): PolicyOutcome[][] {
    return Array.from({ length: decisions }, (_, d) =>
      Array.from({ length: n }, (_, i) => {
        const base = (d * n + i) * 4;
        return {
          allowed: reply[base] === 1,
          remaining: reply[base + 1] as number,
          resetMs: reply[base + 2] as number,
          retryAfterMs: reply[base + 3] as number,
        };
      }),
    );
  }

  /** The GCRA script's reply (remaining, resetMs, retryAfterMs per decision; allowed when the wait is 0). */
  function gcraOutcomesOf(reply: number[], decisions: number): PolicyOutcome[][] {
    return Array.from({ length: decisions }, (_, d) => [
      {
        allowed: reply[3 * d + 2] === 0,
        remaining: reply[3 * d] as number,
        resetMs: reply[3 * d + 1] as number,
        retryAfterMs: reply[3 * d + 2] as number,
      },
    ]);
  }

  it('decides a batch like the memory store deciding it in order at one instant (random policies, keys, costs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(policyArb, { minLength: 1, maxLength: 3 }),
        stepsArb,
        fc.integer({ min: 0, max: 1_000_000 }),
        async (policyOptions, steps, startOffset) => {
          const clock = new FakeClock(1_700_000_000_000 + startOffset);
          const limiter = createRateLimiter({
            policies: policyOptions.map((p, i) => ({ ...p, name: `p${i}` })),
            clock,
          });
          const n = limiter.policies.length;
          const memory = createMemoryStore({ clock });
          const store = createRedisStore({ client, prefix: `parity${process.pid}:${run++}:` });
          const args = [n, ...limiter.policies.flatMap((p) => [ALGORITHM_IDS[p.algorithm], p.limit, p.windowMs])];
          for (const { advance, batch } of steps) {
            clock.advance(advance);
            const expected = batch.map(({ key, cost }) => memory.decide(key, limiter.policies, cost).map(strip));
            const keys = batch.flatMap(({ key }) => store.keysFor(key, limiter.policies));
            const reply = (await client.evalsha(
              sha,
              keys.length,
              ...keys,
              ...args,
              0,
              clock.now(),
              ...costArgs(batch),
            )) as number[];
            expect(reply).toHaveLength(keys.length * 4 + 1);
            expect(outcomesOf(reply, batch.length, n)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('decides GCRA batches with the one-policy script like the memory store, sharing keys with the general one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ limit: fc.integer({ min: 1, max: 20 }), windowMs: fc.integer({ min: 1_000, max: 120_000 }) }),
        stepsArb.map((steps) => steps.map((step, i) => ({ ...step, general: i % 2 === 1 }))),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (policy, steps, startOffset) => {
          const clock = new FakeClock(1_700_000_000_000 + startOffset);
          const limiter = createRateLimiter({ ...policy, clock });
          const memory = createMemoryStore({ clock });
          const store = createRedisStore({ client, prefix: `parity${process.pid}:${run++}:` });
          for (const { advance, batch, general } of steps) {
            clock.advance(advance);
            const expected = batch.map(({ key, cost }) => memory.decide(key, limiter.policies, cost).map(strip));
            const keys = batch.flatMap(({ key }) => store.keysFor(key, limiter.policies));
            // Both scripts on the same keys, taking turns: they read and write the same state.
            const outcomes = general
              ? outcomesOf(
                  (await client.evalsha(
                    sha,
                    keys.length,
                    ...keys,
                    1,
                    ALGORITHM_IDS.gcra,
                    policy.limit,
                    policy.windowMs,
                    0,
                    clock.now(),
                    ...costArgs(batch),
                  )) as number[],
                  batch.length,
                  1,
                )
              : gcraOutcomesOf(
                  (await client.evalsha(
                    gcraSha,
                    keys.length,
                    ...keys,
                    policy.limit,
                    policy.windowMs,
                    0,
                    clock.now(),
                    ...costArgs(batch),
                  )) as number[],
                  batch.length,
                );
            expect(outcomes).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a charge refunded at once leaves no trace: later outcomes equal those of the history without it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(policyArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.record({ advance: fc.integer({ min: 0, max: 150_000 }), cost: fc.integer({ min: 0, max: 22 }) }), {
          minLength: 2,
          maxLength: 20,
        }),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (policyOptions, steps, at, refundCost, startOffset) => {
          const split = at % steps.length;
          const { policies } = createRateLimiter({ policies: policyOptions.map((p, i) => ({ ...p, name: `p${i}` })) });
          const args = policies.flatMap((p) => [ALGORITHM_IDS[p.algorithm], p.limit, p.windowMs]);
          const keysOf = (tag: string) =>
            createRedisStore({ client, prefix: `parity${process.pid}:${run}:${tag}:` }).keysFor('k', policies);
          const plain = keysOf('plain');
          const refunded = keysOf('refunded');
          run++;
          let now = 1_700_000_000_000 + startOffset;
          const decide = async (keys: string[], cost: number) =>
            (await client.evalsha(sha, keys.length, ...keys, keys.length, ...args, 0, now, cost)) as number[];
          for (let i = 0; i < steps.length; i++) {
            const { advance, cost } = steps[i] as { advance: number; cost: number };
            now += advance;
            if (i === split) {
              // The charge whose caller was denied at the deadline, refunded as soon as its reply is read.
              const charge = await decide(refunded, refundCost);
              // Charged only when every policy allowed (the reply's allowed flags, one per policy).
              if (policies.every((_, p) => charge[4 * p] === 1)) {
                await client.eval(REFUND_SCRIPT, refunded.length, ...refunded, refundCost, Math.floor(now), ...args);
              }
            }
            const expected = (await decide(plain, cost)).slice(0, -1);
            const actual = (await decide(refunded, cost)).slice(0, -1);
            expect(actual).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** A batch's costs as the store sends them: once when every decision has the same cost. */
function costArgs(batch: ReadonlyArray<{ readonly cost: number }>): number[] {
  const costs = batch.map(({ cost }) => cost);
  return costs.every((cost) => cost === costs[0]) ? costs.slice(0, 1) : costs;
}

function strip(o: PolicyOutcome): PolicyOutcome {
  return { allowed: o.allowed, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs };
}
