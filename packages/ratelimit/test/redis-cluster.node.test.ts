import { clusterSlot, redisUrl } from '@bulwark/testing';
import { hostileKey, sharedCluster } from '@bulwark/testing/own-cluster';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, createRateLimiter, type RateLimiterOptions } from '../src/index.js';
import { createRedisStore, type RedisScriptClient, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const prefix = `rl-cluster-${process.pid}-${Date.now()}:`;
const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];
let cluster: Cluster;
let standalone: Redis;

beforeAll(async () => {
  cluster = new Cluster(await sharedCluster(), { enableOfflineQueue: false, redisOptions: redisClientOptions() });
  cluster.on('error', () => {});
  standalone = new Redis(redisUrl() as string, redisClientOptions());
  await waitReady(standalone);
});
afterAll(async () => {
  for (const node of cluster.nodes('master')) for (const key of await node.keys(`${prefix}*`)) await cluster.del(key);
  const keys = await standalone.keys(`${prefix}*`);
  if (keys.length > 0) await standalone.del(...keys);
  cluster.disconnect();
  standalone.disconnect();
});

/** Every key the store's scripts name, recorded on the way to the Cluster. */
function spying(seen: string[]): RedisScriptClient {
  return {
    options: { enableOfflineQueue: false },
    evalsha: (sha, keys, ...args) => {
      seen.push(...args.slice(0, keys).map(String));
      return cluster.evalsha(sha, keys, ...args);
    },
    eval: (script, keys, ...args) => {
      seen.push(...args.slice(0, keys).map(String));
      return cluster.eval(script, keys, ...args);
    },
    del: (...keys) => cluster.del(...keys),
  };
}

/** Three policies (three keys per decision) unless one algorithm is asked for. */
function options(algorithm?: Algorithm): RateLimiterOptions {
  return algorithm
    ? { algorithm, limit: 3, windowMs: 60_000 }
    : {
        policies: [
          { name: 'second', limit: 3, windowMs: 60_000 },
          { name: 'minute', algorithm: 'sliding-window', limit: 4, windowMs: 600_000 },
          { name: 'day', algorithm: 'fixed-window', limit: 5, windowMs: 86_400_000 },
        ],
      };
}

/** allowed/remaining/reason of each decision (reset times are Redis clock readings). */
async function decisions(
  client: RedisScriptClient | Redis | Cluster,
  key: string,
  costs: number[],
  algorithm?: Algorithm,
) {
  const limiter = createRateLimiter({
    ...options(algorithm),
    store: createRedisStore({ client, prefix }),
    deadlineMs: 2_000,
    logger: { warn() {} },
  });
  const out = [];
  for (const cost of costs) {
    const d = await limiter.limit(key, { cost });
    out.push([d.allowed, d.remaining, d.reason]);
  }
  return out;
}

describe('Redis store on a Redis Cluster (3 masters, 1 replica each)', () => {
  it.each(ALL)('%s: decides like standalone Redis', async (algorithm) => {
    const key = `each:${algorithm}`;
    const costs = [1, 1, 2, 1, 0, 1];
    const onCluster = await decisions(cluster, key, costs, algorithm);
    expect(onCluster.map(([allowed]) => allowed)).toEqual([true, true, false, true, true, false]);
    expect(onCluster).toEqual(await decisions(standalone, key, costs, algorithm));
  });

  it('property: for any key (braces included) a decision names keys of one slot, and the Cluster decides like standalone Redis', async () => {
    const seen: string[] = [];
    const spy = spying(seen);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileKey,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        async (key, costs) => {
          n++;
          seen.length = 0;
          const onCluster = await decisions(spy, `${n}:${key}`, costs);
          expect(onCluster).toEqual(await decisions(standalone, `${n}:${key}`, costs));
          expect(seen.length).toBeGreaterThanOrEqual(3 * costs.filter((c) => c > 0).length);
          expect(new Set(seen.map(clusterSlot)).size).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a same-tick burst over many keys: every script call names one slot, and the Cluster decides like standalone Redis', async () => {
    const calls: string[][] = [];
    const spy: RedisScriptClient = {
      ...spying([]),
      isCluster: true,
      evalsha: (sha, keys, ...args) => {
        calls.push(args.slice(0, keys).map(String));
        return cluster.evalsha(sha, keys, ...args);
      },
    };
    const keys = Array.from({ length: 36 }, (_, i) => `burst:{${i % 12}}}:${i % 12}`);
    const burst = async (client: RedisScriptClient | Redis | Cluster, label: string) => {
      const limiter = createRateLimiter({
        ...options(),
        store: createRedisStore({ client, prefix: `${prefix}${label}:` }),
        deadlineMs: 2_000,
        logger: { warn() {} },
      });
      const out = await Promise.all(keys.map((key) => limiter.limit(key, { cost: 2 })));
      return out.map((d) => [d.allowed, d.remaining, d.reason]);
    };
    // Standalone batches the whole burst into one call; the Cluster one call per key (12).
    const expected = await burst(standalone, 'standalone');
    expect(await burst(spy, 'spy')).toEqual(expected);
    expect(calls).toHaveLength(12);
    for (const named of calls) expect(new Set(named.map(clusterSlot)).size).toBe(1);
    expect(await burst(cluster, 'cluster')).toEqual(expected);
    expect(expected.map(([allowed]) => allowed)).toEqual(keys.map((_, i) => i < 12));
  });
});
