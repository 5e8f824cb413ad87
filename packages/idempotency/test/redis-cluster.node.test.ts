import { clusterSlot, redisUrl } from '@bulwark/testing';
import { hostileKey, sharedCluster } from '@bulwark/testing/own-cluster';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotency } from '../src/index.js';
import { createRedisStore, type RedisScriptClient, type RedisStore } from '../src/redis.js';
import { storeConformance } from './support/store-conformance.js';

const prefix = `idem-cluster-${process.pid}-${Date.now()}:`;
let cluster: Cluster;
let standalone: Redis;
let onCluster: RedisStore;
let alone: RedisStore;

beforeAll(async () => {
  cluster = new Cluster(await sharedCluster(), {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1 },
  });
  cluster.on('error', () => {});
  standalone = new Redis(redisUrl() as string, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await Promise.all([cluster, standalone].map((c) => new Promise((resolve) => c.once('ready', resolve))));
  onCluster = createRedisStore({ client: cluster, prefix });
  alone = createRedisStore({ client: standalone, prefix });
});
afterAll(async () => {
  for (const node of cluster.nodes('master')) {
    const keys = await node.keys(`${prefix}*`);
    for (const key of keys) await cluster.del(key);
  }
  const keys = await standalone.keys(`${prefix}*`);
  if (keys.length > 0) await standalone.del(...keys);
  cluster.disconnect();
  standalone.disconnect();
});

describe('Redis store on a Redis Cluster (3 masters, 1 replica each)', () => {
  storeConformance('redis cluster', () => onCluster);

  it('property: for any caller key (braces included) the record has one hash tag, and the Cluster answers what standalone Redis does', async () => {
    const seen: string[] = [];
    const spy: RedisScriptClient = {
      options: { enableOfflineQueue: false },
      evalsha: (sha, keys, ...args) => {
        seen.push(...args.slice(0, keys).map(String));
        return cluster.evalsha(sha, keys, ...args);
      },
      eval: (script, keys, ...args) => {
        seen.push(...args.slice(0, keys).map(String));
        return cluster.eval(script, keys, ...args);
      },
    };
    const spied = createRedisStore({ client: spy, prefix });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileKey, fc.string(), async (key, value) => {
        n++;
        const outcomes = async (store: RedisStore) => {
          const idempotency = createIdempotency({ store, deadlineMs: 2_000 });
          const first = await idempotency.run(`${n}:${key}`, () => value, { fingerprint: 'f' });
          const replay = await idempotency.run(`${n}:${key}`, () => 'never', { fingerprint: 'f' });
          const conflict = await idempotency
            .run(`${n}:${key}`, () => 'never', { fingerprint: 'other' })
            .catch((error: { code: string }) => error.code);
          return [first, replay, conflict];
        };
        seen.length = 0;
        expect(await outcomes(spied)).toEqual(await outcomes(alone));
        // Every script names one key, `<prefix>{<64 hex>}`: its slot is the tag's, whatever the caller key.
        expect(seen.length).toBeGreaterThanOrEqual(3);
        for (const redisKey of seen) {
          expect(redisKey).toMatch(/^[^{}]*\{[0-9a-f]{64}\}$/);
          expect(clusterSlot(redisKey)).toBe(clusterSlot(redisKey.slice(redisKey.indexOf('{'))));
        }
      }),
      { numRuns: 40 },
    );
  });
});
