import { redisUrl } from '@bulwark/testing';
import { hostileKey, sharedCluster } from '@bulwark/testing/own-cluster';
import { createRedisReplayStore } from '@bulwark/webhooks/redis';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookVerifier, sign } from '../src/index.js';
import { clockAt, NOW_SEC, rejection, SECRET } from './helpers.js';

const prefix = `wh-cluster-${process.pid}-${Date.now()}:`;
let cluster: Cluster;
let standalone: Redis;

beforeAll(async () => {
  cluster = new Cluster(await sharedCluster(), {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1 },
  });
  cluster.on('error', () => {});
  standalone = new Redis(redisUrl() as string);
  await new Promise((resolve) => cluster.once('ready', resolve));
});
afterAll(async () => {
  for (const node of cluster.nodes('master')) for (const key of await node.keys(`${prefix}*`)) await cluster.del(key);
  const keys = await standalone.keys(`${prefix}*`);
  if (keys.length > 0) await standalone.del(...keys);
  cluster.disconnect();
  standalone.disconnect();
});

describe('createRedisReplayStore on a Redis Cluster (3 masters, 1 replica each)', () => {
  it('property: any message key (braces included) is claimed once and expires, as on standalone Redis', async () => {
    const onCluster = createRedisReplayStore({ redis: cluster, prefix });
    const alone = createRedisReplayStore({ redis: standalone, prefix });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileKey, async (key) => {
        n++;
        const claims = async (store: typeof onCluster) => [
          await store.claim(`${n}:${key}`, 60_000),
          await store.claim(`${n}:${key}`, 60_000),
        ];
        const [a, b] = [await claims(onCluster), await claims(alone)];
        expect(a).toEqual([true, false]);
        expect(a).toEqual(b);
        // The claim expires on its own, on either: the key carries the TTL it was given.
        for (const ttl of [await cluster.pttl(`${prefix}${n}:${key}`), await standalone.pttl(`${prefix}${n}:${key}`)]) {
          expect(ttl).toBeGreaterThan(0);
          expect(ttl).toBeLessThanOrEqual(60_000);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a replayed webhook across two verifiers sharing the Cluster', async () => {
    const verifier = () =>
      createWebhookVerifier({
        secrets: SECRET,
        clock: clockAt(),
        replayStore: createRedisReplayStore({ redis: cluster, prefix }),
      });
    const [one, two] = [verifier(), verifier()];
    const headers = await sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC, id: `c${Date.now()}` });
    await expect(one.verify({ headers, body: 'x' })).resolves.toBeTruthy();
    expect((await rejection(two.verify({ headers, body: 'x' }))).code).toBe('webhook_replayed');
  });
});
