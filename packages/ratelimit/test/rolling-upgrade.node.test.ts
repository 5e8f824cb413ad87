import { FakeClock, redisUrl } from '@bulwark/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, createMemoryStore, createRateLimiter, type PolicyOutcome } from '../src/index.js';
import { ALGORITHM_IDS, DECIDE_SCRIPT, GCRA_SCRIPT } from '../src/redis/lua.js';
import { createRedisStore, redisClientOptions } from '../src/redis.js';
import {
  PREVIOUS_BATCH_DECIDE_SCRIPT,
  PREVIOUS_BATCH_GCRA_SCRIPT,
  PREVIOUS_DECIDE_SCRIPT,
  PREVIOUS_GCRA_SCRIPT,
} from './fixtures/redis-scripts-previous.js';
import { waitReady } from './support/ready.js';

const url = redisUrl();
const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

/** Up to three policies of any algorithm, as `createRateLimiter` takes them. */
const policyOptionsArb = fc.array(
  fc.record({
    algorithm: fc.constantFrom(...ALL),
    limit: fc.integer({ min: 1, max: 20 }),
    windowMs: fc.integer({ min: 1_000, max: 120_000 }),
  }),
  { minLength: 1, maxLength: 3 },
);

/** One step of a run: time passes, then decisions of these costs on the key. */
const stepArb = {
  advance: fc.integer({ min: 0, max: 150_000 }),
  costs: fc.array(fc.integer({ min: 0, max: 22 }), { minLength: 1, maxLength: 4 }),
};

/** The resolved policies and the arguments every script version takes for them. */
function scriptArguments(options: ReadonlyArray<{ algorithm: Algorithm; limit: number; windowMs: number }>) {
  const { policies } = createRateLimiter({ policies: options.map((p, i) => ({ ...p, name: `p${i}` })) });
  const n = policies.length;
  return {
    policies,
    n,
    gcra: n === 1 && policies[0]?.algorithm === 'gcra',
    perPolicy: policies.flatMap((p) => [ALGORITHM_IDS[p.algorithm], p.limit, p.windowMs]),
    limitAndWindow: [policies[0]?.limit, policies[0]?.windowMs] as number[],
  };
}

/**
 * During a deploy, processes of earlier versions (one EVALSHA per decision; then batches with a
 * GET per key and four integers per decision) and of this one (one MGET per batch, a shorter GCRA
 * reply, the cost sent once) decide on the same keys. All must read and write the same state:
 * taking turns on one key gives what the memory store gives.
 */
describe.skipIf(!url)('rolling upgrade: previous and current scripts share keys', () => {
  let client: Redis;
  const sha = { decide: '', gcra: '', oldDecide: '', oldGcra: '', batchDecide: '', batchGcra: '' };
  let run = 0;

  beforeAll(async () => {
    client = new Redis(url as string, redisClientOptions());
    await waitReady(client);
    sha.decide = (await client.script('LOAD', DECIDE_SCRIPT)) as string;
    sha.gcra = (await client.script('LOAD', GCRA_SCRIPT)) as string;
    sha.oldDecide = (await client.script('LOAD', PREVIOUS_DECIDE_SCRIPT)) as string;
    sha.oldGcra = (await client.script('LOAD', PREVIOUS_GCRA_SCRIPT)) as string;
    sha.batchDecide = (await client.script('LOAD', PREVIOUS_BATCH_DECIDE_SCRIPT)) as string;
    sha.batchGcra = (await client.script('LOAD', PREVIOUS_BATCH_GCRA_SCRIPT)) as string;
  });
  afterAll(async () => {
    const keys = await client.keys(`upgrade${process.pid}:*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('scripts of three versions taking turns on one key decide like the memory store (every algorithm, up to 3 policies)', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyOptionsArb,
        fc.array(
          fc.record({
            ...stepArb,
            version: fc.constantFrom('single', 'batch', 'current'),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (policyOptions, steps, startOffset) => {
          const clock = new FakeClock(1_700_000_000_000 + startOffset);
          const { policies, n, gcra, perPolicy, limitAndWindow } = scriptArguments(policyOptions);
          const memory = createMemoryStore({ clock });
          const keys = createRedisStore({ client, prefix: `upgrade${process.pid}:${run++}:` }).keysFor('k', policies);
          for (const { advance, costs, version } of steps) {
            clock.advance(advance);
            const now = clock.now();
            for (const [d, cost] of (version === 'single' ? costs : []).entries()) {
              // The previous version: one call per decision, the script the store picked then.
              const reply = (
                gcra
                  ? await client.evalsha(sha.oldGcra, 1, ...keys, cost, ...limitAndWindow, 0, now)
                  : await client.evalsha(sha.oldDecide, n, ...keys, cost, ...perPolicy, 0, now)
              ) as number[];
              expect(outcomes(reply, 0, n), `old decision ${d}`).toEqual(memory.decide('k', policies, cost).map(strip));
            }
            if (version === 'single') continue;
            // The decisions of the step in one batch.
            const batchKeys = costs.flatMap(() => keys);
            const sent = costs.every((cost) => cost === costs[0]) ? costs.slice(0, 1) : costs;
            const reply = (
              version === 'batch'
                ? gcra
                  ? await client.evalsha(
                      sha.batchGcra,
                      batchKeys.length,
                      ...batchKeys,
                      ...limitAndWindow,
                      0,
                      ...costs,
                      now,
                    )
                  : await client.evalsha(
                      sha.batchDecide,
                      batchKeys.length,
                      ...batchKeys,
                      n,
                      ...perPolicy,
                      0,
                      ...costs,
                      now,
                    )
                : gcra
                  ? await client.evalsha(sha.gcra, batchKeys.length, ...batchKeys, ...limitAndWindow, 0, now, ...sent)
                  : await client.evalsha(sha.decide, batchKeys.length, ...batchKeys, n, ...perPolicy, 0, now, ...sent)
            ) as number[];
            for (const [d, cost] of costs.entries()) {
              const got = version === 'current' && gcra ? gcraOutcome(reply, d) : outcomes(reply, d, n);
              expect(got, `${version} decision ${d}`).toEqual(memory.decide('k', policies, cost).map(strip));
            }
          }
          // Same TTL policy too: each key expires 2 × its window after its last charge, or never existed.
          for (const [i, key] of keys.entries()) {
            const ttl = await client.pttl(key);
            expect(ttl === -2 || (ttl > 0 && ttl <= 2 * (policies[i]?.windowMs ?? 0))).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the current scripts write the bytes and expiry the previous batch scripts wrote (every algorithm, up to 3 policies)', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyOptionsArb,
        fc.array(
          fc.record({
            ...stepArb,
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (policyOptions, steps, startOffset) => {
          const clock = new FakeClock(1_700_000_000_000 + startOffset);
          const { policies, n, gcra, perPolicy, limitAndWindow } = scriptArguments(policyOptions);
          const [previous, current] = [0, 1].map(() =>
            createRedisStore({ client, prefix: `upgrade${process.pid}:${run++}:` }).keysFor('k', policies),
          ) as [string[], string[]];
          for (const { advance, costs } of steps) {
            clock.advance(advance);
            const now = clock.now();
            const old = costs.flatMap(() => previous);
            const ours = costs.flatMap(() => current);
            const sent = costs.every((cost) => cost === costs[0]) ? costs.slice(0, 1) : costs;
            if (gcra) {
              await client.evalsha(sha.batchGcra, old.length, ...old, ...limitAndWindow, 0, ...costs, now);
              await client.evalsha(sha.gcra, ours.length, ...ours, ...limitAndWindow, 0, now, ...sent);
            } else {
              await client.evalsha(sha.batchDecide, old.length, ...old, n, ...perPolicy, 0, ...costs, now);
              await client.evalsha(sha.decide, ours.length, ...ours, n, ...perPolicy, 0, now, ...sent);
            }
            for (const [i, key] of current.entries()) {
              const was = previous[i] as string;
              expect(await client.getBuffer(key), `state of policy ${i}`).toEqual(await client.getBuffer(was));
              // Both exist with an expiry of at most 2 × the window, or neither does.
              const ttls = [await client.pttl(was), await client.pttl(key)];
              const window = 2 * (policies[i]?.windowMs ?? 0);
              expect(ttls.map((ttl) => (ttl === -2 ? 'none' : ttl > 0 && ttl <= window))).toEqual(
                ttls[0] === -2 ? ['none', 'none'] : [true, true],
              );
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

function outcomes(reply: number[], decision: number, n: number): PolicyOutcome[] {
  return Array.from({ length: n }, (_, i) => {
    const base = (decision * n + i) * 4;
    return {
      allowed: reply[base] === 1,
      remaining: reply[base + 1] as number,
      resetMs: reply[base + 2] as number,
      retryAfterMs: reply[base + 3] as number,
    };
  });
}

/** This version's GCRA reply: remaining, resetMs, retryAfterMs per decision (allowed when the wait is 0). */
function gcraOutcome(reply: number[], decision: number): PolicyOutcome[] {
  const base = 3 * decision;
  const retryAfterMs = reply[base + 2] as number;
  return [
    { allowed: retryAfterMs === 0, remaining: reply[base] as number, resetMs: reply[base + 1] as number, retryAfterMs },
  ];
}

function strip(o: PolicyOutcome): PolicyOutcome {
  return { allowed: o.allowed, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs };
}
