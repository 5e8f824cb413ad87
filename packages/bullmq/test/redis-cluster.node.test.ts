// Real BullMQ on the test command's Redis Cluster (REDIS_CLUSTER_NODES; 3 masters, 1 replica each).
// BullMQ's scripts touch many keys of one queue, so on a Cluster its prefix must be a `{…}` hash
// tag; the dead-letter queue `<queue>-dlq` is a second queue and must land on a slot BullMQ can
// use too. BullMQ reads the wall clock itself: this file waits for real, in short polls with hard
// deadlines (see bullmq.node.test.ts), and keeps to two jobs.
import { err } from '@bulwark/errors';
import { clusterSlot } from '@bulwark/testing';
import { sharedCluster } from '@bulwark/testing/own-cluster';
import { type Job, Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadLetterQueue } from '../src/dead-letter-queue.js';
import { createProcessor } from '../src/processor.js';

const tag = `bulwark-bullmq-cluster-${process.pid}-${Date.now()}`;
let cluster: Cluster;

beforeAll(async () => {
  // BullMQ's workers block on the connection: no per-request retry limit (BullMQ requires it).
  cluster = new Cluster(await sharedCluster(), { redisOptions: { maxRetriesPerRequest: null } });
  cluster.on('error', () => {});
  await new Promise((resolve) => cluster.once('ready', resolve));
});
afterAll(async () => {
  for (const node of cluster.nodes('master')) {
    for (const key of await node.keys(`*${tag}*`)) await cluster.del(key);
  }
  cluster.disconnect();
});

/** Polls `check` every 10 ms until it holds; fails after `deadlineMs` of wall time. */
async function waitFor(check: () => Promise<boolean> | boolean, deadlineMs = 8_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every key of the cluster whose name contains `part`, read from each master. */
async function keysContaining(part: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of cluster.nodes('master')) keys.push(...(await node.keys(`*${part}*`)));
  return keys;
}

describe('BullMQ adapter on a Redis Cluster', () => {
  it('dead-letters and requeues with a hash-tag prefix: the dead-letter queue inherits it, so all its keys share the source queue slot', {
    timeout: 30_000,
  }, async () => {
    const prefix = `{${tag}}`;
    const queue = new Queue('invoices', { connection: cluster, prefix });
    const dlq = createDeadLetterQueue({ queue });
    let healthy = false;
    const worker = new Worker(
      'invoices',
      createProcessor(async (job: Job) => {
        if (healthy) return `sent ${job.data.n}`;
        throw err('validation_failed', { detail: 'amount must be positive' });
      }),
      { connection: cluster, prefix },
    );
    dlq.attach(worker);
    try {
      await queue.add('charge', { n: 1 }, { attempts: 3 });
      await waitFor(async () => (await dlq.stats()).size === 1);
      expect((await dlq.stats()).byCode).toEqual({ validation_failed: 1 });

      const deadLetterKeys = await keysContaining(`${prefix}:invoices-dlq:`);
      expect(deadLetterKeys.length).toBeGreaterThan(0);
      const slot = clusterSlot(`${prefix}:invoices:wait`);
      expect(new Set([...(await keysContaining(prefix)).map(clusterSlot)])).toEqual(new Set([slot]));

      healthy = true;
      expect((await dlq.requeue({ code: 'validation_failed' })).requeued).toHaveLength(1);
      await waitFor(async () => (await queue.getCompletedCount()) === 1);
      expect((await dlq.stats()).size).toBe(0);
    } finally {
      await worker.close();
      await dlq.close();
      await queue.close();
    }
  });
});
