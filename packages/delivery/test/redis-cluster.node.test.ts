import { randomUUID } from 'node:crypto';
import { clusterSlot, redisUrl } from '@bulwark/testing';
import { hostileKey, sharedCluster } from '@bulwark/testing/own-cluster';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis.js';
import type { DeliveryStore } from '../src/store.js';
import { delivery, describeStoreConformance, endpointRecord } from './store-conformance.js';

const T0 = 1_700_000_000_000;
const run = `bulwark-cluster-test:${randomUUID()}`;
let counter = 0;
let current = '';
let cluster: Cluster;
let standalone: Redis;

beforeAll(async () => {
  cluster = new Cluster(await sharedCluster(), {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1 },
  });
  cluster.on('error', () => {});
  standalone = new Redis(redisUrl() as string);
});
afterAll(async () => {
  // Every key of this file's stores, on every master (a Cluster SCAN is per node).
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `{${run}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) await cluster.del(key);
    } while (cursor !== '0');
  }
  for (const key of await standalone.keys(`{${run}*`)) await standalone.del(key);
  cluster.disconnect();
  standalone.disconnect();
});

describe('createRedisStore on a Redis Cluster (3 masters, 1 replica each)', () => {
  describeStoreConformance('redis cluster', {
    async open() {
      current = `${run}:${counter++}`;
      return createRedisStore({ connection: cluster, prefix: current });
    },
    async reopen() {
      return createRedisStore({ connection: cluster, prefix: current });
    },
  });

  it('refuses a prefix with a brace (it is the hash tag of every key)', () => {
    for (const prefix of ['a{b', 'a}b', '{a}', '']) {
      expect(() => createRedisStore({ connection: cluster, prefix })).toThrow('`prefix`');
    }
  });

  it('validates waitReplicas and waitTimeoutMs, naming the option', () => {
    for (const waitReplicas of [-1, 1.5, Number.NaN, 101]) {
      expect(() => createRedisStore({ connection: cluster, waitReplicas })).toThrow('`waitReplicas`');
    }
    for (const waitTimeoutMs of [0, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => createRedisStore({ connection: cluster, waitReplicas: 1, waitTimeoutMs })).toThrow(
        '`waitTimeoutMs`',
      );
    }
  });

  it('with waitReplicas, acknowledges a publish once a replica has it, and refuses it (typed) when no replica confirms', async () => {
    // A loaded machine can hold replication back past the 500 ms default; WAIT returns as soon as the replica has it.
    const durable = createRedisStore({
      connection: cluster,
      prefix: `${run}:durable`,
      waitReplicas: 1,
      waitTimeoutMs: 10_000,
    });
    expect(await durable.enqueue([delivery(1)])).toEqual([delivery(1).id]);
    await durable.saveEndpoint(endpointRecord('ep_durable'));
    expect(await durable.deleteEndpoint('ep_durable')).toBe(true);
    // Standalone Redis has no replica: WAIT 1 times out, the enqueue is not acknowledged.
    const alone = createRedisStore({
      connection: standalone,
      prefix: `${run}:alone`,
      waitReplicas: 1,
      waitTimeoutMs: 50,
    });
    await expect(alone.enqueue([delivery(2)])).rejects.toMatchObject({
      code: 'delivery_store_unavailable',
      retryable: true,
      detail: expect.stringContaining('0 of 1 replicas'),
    });
    // Claims do not wait: the write landed on the master and is delivered from there.
    expect((await alone.claim({ now: T0, leaseMs: 1_000, limit: 10 })).map((d) => d.id)).toEqual([delivery(2).id]);
    await durable.close();
    await alone.close();
  });

  it('refreshes the slot map when a durable write is redirected (MOVED), and fails that call retryable', async () => {
    let refreshed = 0;
    const moved = Object.assign(new Error('MOVED 8970 127.0.0.1:1'), { name: 'ReplyError' });
    const pipeline = {
      eval: () => pipeline,
      evalsha: () => pipeline,
      call: () => pipeline,
      exec: async () => [
        [moved, null],
        [null, 1],
      ],
    };
    const writer = {
      status: 'ready',
      on: () => writer,
      pipeline: () => pipeline,
      refreshSlotsCache: () => refreshed++,
    };
    const fake = { status: 'ready', on: () => fake, duplicate: () => writer } as unknown as Cluster;
    const store = createRedisStore({ connection: fake, prefix: `${run}:moved`, waitReplicas: 1 });
    await expect(store.enqueue([delivery(1)])).rejects.toMatchObject({
      code: 'delivery_store_unavailable',
      retryable: true,
    });
    expect(refreshed).toBe(1);
  });

  it('spreads stores with different prefixes over the masters', async () => {
    const masters = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const prefix = `${run}:spread:${i}`;
      await createRedisStore({ connection: cluster, prefix }).enqueue([delivery(1)]);
      const slot = clusterSlot(`{${prefix}}:d`);
      const node = cluster.slots[slot]?.[0];
      if (node) masters.add(node);
    }
    expect(masters.size).toBe(3);
  });
});

/** What a store answers, with lease tokens (random per claim) left out. */
async function observe(store: DeliveryStore, ids: { endpoints: string[]; messages: string[] }): Promise<unknown> {
  const deliveries = ids.messages.flatMap((messageId, i) =>
    ids.endpoints.map((endpointId, j) =>
      delivery(i * 10 + j, { messageId, endpointId, id: `${messageId}\u0000${endpointId}`, nextAt: T0 + j }),
    ),
  );
  const inserted = await store.enqueue(deliveries);
  const again = await store.enqueue(deliveries);
  const claimed = await store.claim({ now: T0 + 5, leaseMs: 1_000, limit: 3, maxPerEndpoint: 2 });
  const completed = [];
  for (const [i, c] of claimed.entries()) {
    const status = i === 0 ? ('dead' as const) : ('succeeded' as const);
    const attempt = { deliveryId: c.id, n: 0, at: T0, statusCode: 500, latencyMs: 1, response: '', errorCode: null };
    completed.push(
      await store.complete(c.id, c.leaseToken, { status, nextAt: T0, attempt, lastError: null, now: T0 + 6 }),
    );
  }
  const first = claimed[0];
  return {
    inserted: [...inserted].sort(),
    again,
    claimed: claimed.map(({ leaseToken: _t, ...rest }) => rest),
    completed,
    counts: await store.counts(),
    dlq: await store.dlqStats(),
    listed: await store.listDeliveries({ limit: 100 }),
    byMessage: await store.listDeliveries({ messageId: ids.messages[0] as string }),
    attempts: first ? await store.listAttempts(first.id) : [],
    requeued: await store.requeue({ statuses: ['dead'] }, T0 + 7),
    pruned: await store.prune({ before: T0 + 100, limit: 100 }),
    after: await store.counts(),
  };
}

/**
 * Ids the store is given: any well-formed string. (The dispatcher only ever passes ids matching
 * `[A-Za-z0-9][A-Za-z0-9_.-]*`; a lone surrogate cannot go through the scripts' JSON, whose
 * decoder refuses its `\\uD800` escape: Redis answers with a script error, nothing is written.)
 */
const storeId = hostileKey.filter(
  (id) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(id),
);

describe('any endpoint and message ids (braces included)', () => {
  it('property: every key of a store is in its one slot, and the Cluster answers what standalone Redis does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(storeId, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(storeId, { minLength: 1, maxLength: 2 }),
        async (endpoints, messages) => {
          const prefix = `${run}:p${counter++}`;
          const onCluster = await observe(createRedisStore({ connection: cluster, prefix }), { endpoints, messages });
          const alone = await observe(createRedisStore({ connection: standalone, prefix }), { endpoints, messages });
          expect(onCluster).toEqual(alone);
          // The keys the scripts created from the hostile ids: all in the slot of the store's tag.
          const keys = await standalone.keys(`{${prefix}}*`);
          expect(keys.length).toBeGreaterThan(5);
          expect(new Set(keys.map(clusterSlot))).toEqual(new Set([clusterSlot(`{${prefix}}`)]));
        },
      ),
      { numRuns: 25 },
    );
  });
});
