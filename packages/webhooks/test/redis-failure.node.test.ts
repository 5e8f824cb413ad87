import { FakeClock } from '@bulwark/testing';
import { freePort, type OwnRedis, startOwnRedis } from '@bulwark/testing/own-redis';
import { createRedisReplayStore, type RedisSetClient } from '@bulwark/webhooks/redis';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookVerifier,
  expressWebhook,
  isWebhookReplayStoreError,
  sign,
  WebhookReplayStoreError,
} from '../src/index.js';
import { clockAt, NOW_SEC, rejection, SECRET } from './helpers.js';

const DEADLINE = 250;

/** Resolves when `promise` settles, with its rejection (or undefined when it resolved). */
function settled(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function ready(client: Redis): Promise<void> {
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
}

describe('createRedisReplayStore deadline options', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 60_001, '100'])('rejects deadlineMs %s', (deadlineMs) => {
    expect(() =>
      createRedisReplayStore({ redis: { set: async () => 'OK' }, deadlineMs: deadlineMs as number }),
    ).toThrow(/deadlineMs/);
  });

  it('accepts the edges 1 and 60000', () => {
    expect(() => createRedisReplayStore({ redis: { set: async () => 'OK' }, deadlineMs: 1 })).not.toThrow();
    expect(() => createRedisReplayStore({ redis: { set: async () => 'OK' }, deadlineMs: 60_000 })).not.toThrow();
  });
});

describe('createRedisReplayStore fails closed, typed, within its deadline', () => {
  /** A client whose SETs stay in flight until the test answers them. */
  function stalledClient() {
    const waiting: Array<(reply: 'OK' | null) => void> = [];
    const deleted: string[] = [];
    const client: RedisSetClient = {
      set: () => new Promise((resolve) => waiting.push(resolve)),
      del: async (key) => {
        deleted.push(key);
        return 1;
      },
    };
    return { client, waiting, deleted };
  }

  it('rejects every call in flight with webhook_replay_store_timeout at the deadline, not before', async () => {
    const timers = new FakeClock();
    const { client, waiting } = stalledClient();
    const store = createRedisReplayStore({ redis: client, deadlineMs: DEADLINE, timers });
    const calls = Array.from({ length: 5 }, (_, i) => settled(store.claim(`k${i}`, 1000) as Promise<boolean>));
    let done = 0;
    for (const call of calls) void call.then(() => done++);
    await timers.advanceAsync(DEADLINE - 1);
    expect(done).toBe(0);
    await timers.advanceAsync(1);
    for (const error of await Promise.all(calls)) {
      expect(error).toBeInstanceOf(WebhookReplayStoreError);
      expect(error).toMatchObject({ code: 'webhook_replay_store_timeout', status: 503, retryable: true });
    }
    expect(waiting).toHaveLength(5);
    expect(timers.pendingTimers).toBe(0);
  });

  it('releases a claim Redis grants after the deadline, so the retry is not a replay', async () => {
    const timers = new FakeClock();
    const { client, waiting, deleted } = stalledClient();
    const store = createRedisReplayStore({ redis: client, deadlineMs: DEADLINE, timers, prefix: 'p:' });
    const late = settled(store.claim('granted', 1000) as Promise<boolean>);
    const refused = settled(store.claim('refused', 1000) as Promise<boolean>);
    await timers.advanceAsync(DEADLINE);
    await Promise.all([late, refused]);
    waiting[0]?.('OK');
    waiting[1]?.(null);
    await timers.advanceAsync(0);
    expect(deleted).toEqual(['p:granted']);
    expect(await late).toMatchObject({ code: 'webhook_replay_store_timeout' });
  });

  it('answers in time without a pending timer left behind', async () => {
    const timers = new FakeClock();
    const store = createRedisReplayStore({ redis: { set: async () => 'OK' }, deadlineMs: DEADLINE, timers });
    expect(await store.claim('k', 1000)).toBe(true);
    expect(timers.pendingTimers).toBe(0);
  });

  it('maps a client error (thrown or rejected) to webhook_replay_store_unavailable with the cause', async () => {
    const cause = new Error('Connection is closed.');
    for (const set of [
      async () => {
        throw cause;
      },
      () => {
        throw cause;
      },
    ]) {
      const store = createRedisReplayStore({ redis: { set }, timers: new FakeClock() });
      const error = await settled(store.claim('k', 1000) as Promise<boolean>);
      expect(isWebhookReplayStoreError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'webhook_replay_store_unavailable', retryable: true, cause });
    }
  });
});

describe('a verifier on a Redis replay store that cannot answer', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(async () => {
    await own.kill();
  });

  async function signed(id: string) {
    return sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC, id });
  }

  it('refuses with webhook_replay_store_timeout at the deadline when Redis is stopped (queued commands)', async () => {
    const port = await freePort();
    // ioredis defaults: commands queue while disconnected, which used to hang verify ~10 s.
    const client = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: () => 20 });
    client.on('error', () => {});
    const timers = new FakeClock();
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock: clockAt(),
      replayStore: createRedisReplayStore({ redis: client, deadlineMs: DEADLINE, timers }),
    });
    const pending = rejection(verifier.verify({ headers: await signed('stopped_1'), body: 'x' }));
    await timers.advanceAsync(DEADLINE);
    expect(await pending).toMatchObject({ code: 'webhook_replay_store_timeout' });
    client.disconnect();
  });

  it('refuses with webhook_replay_store_unavailable at once when the client does not queue', async () => {
    const port = await freePort();
    const client = new Redis(`redis://127.0.0.1:${port}`, { enableOfflineQueue: false, retryStrategy: () => 20 });
    client.on('error', () => {});
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock: clockAt(),
      replayStore: createRedisReplayStore({ redis: client, deadlineMs: DEADLINE, timers: new FakeClock() }),
    });
    const error = await rejection(verifier.verify({ headers: await signed('stopped_2'), body: 'x' }));
    expect(error).toMatchObject({ code: 'webhook_replay_store_unavailable' });
    client.disconnect();
  });

  it('refuses calls in flight while Redis is stalled (CLIENT PAUSE), releases their late claims, then accepts the retry', async () => {
    const client = new Redis(own.url);
    const admin = new Redis(own.url);
    const probe = new Redis(own.url);
    await Promise.all([ready(client), ready(admin), ready(probe)]);
    const timers = new FakeClock();
    const prefix = 'stall:';
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock: clockAt(),
      replayStore: createRedisReplayStore({ redis: client, deadlineMs: DEADLINE, timers, prefix }),
    });
    const ids = ['stall_1', 'stall_2', 'stall_3'];
    const requests = await Promise.all(ids.map(signed));
    // OK means the pause is in effect: every other client's command now waits 300 ms.
    await admin.call('CLIENT', 'PAUSE', '300', 'ALL');
    const pending = requests.map((headers) => rejection(verifier.verify({ headers, body: 'x' })));
    await timers.advanceAsync(DEADLINE);
    for (const error of await Promise.all(pending)) {
      expect(error).toMatchObject({ code: 'webhook_replay_store_timeout', status: 503 });
    }
    await probe.ping(); // answered once the pause is over
    // The SETs were granted after their deadline; each reply sent a DEL before these PINGs.
    await client.ping();
    await client.ping();
    expect(await admin.exists(...ids.map((id) => `${prefix}bulwark:${id}`))).toBe(0);
    // The sender's retry of each refused webhook is accepted, not taken for a replay.
    for (const headers of requests) await expect(verifier.verify({ headers, body: 'x' })).resolves.toBeTruthy();
    for (const c of [probe, admin, client]) c.disconnect();
  });

  it('refuses a call in flight when Redis is killed', async () => {
    const victim = await startOwnRedis();
    const client = new Redis(victim.url, { retryStrategy: () => 20 });
    client.on('error', () => {});
    await ready(client);
    const timers = new FakeClock();
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock: clockAt(),
      replayStore: createRedisReplayStore({ redis: client, deadlineMs: DEADLINE, timers }),
    });
    const admin = new Redis(victim.url);
    admin.on('error', () => {});
    await ready(admin);
    await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
    const pending = rejection(verifier.verify({ headers: await signed('killed_1'), body: 'x' }));
    await victim.kill();
    await timers.advanceAsync(DEADLINE);
    expect(['webhook_replay_store_timeout', 'webhook_replay_store_unavailable']).toContain((await pending).code);
    admin.disconnect();
    client.disconnect();
  });

  it('answers 503 problem+json through the Express adapter, not 500', async () => {
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock: clockAt(),
      replayStore: {
        claim: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379 password=hunter2')),
      },
    });
    const app = express();
    app.post('/webhooks', expressWebhook(verifier), (_req, res) => {
      res.sendStatus(204);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/webhooks`, {
      method: 'POST',
      headers: await signed('express_1'),
      body: 'x',
    });
    server.close();
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'webhook_replay_store_unavailable', retryable: true });
    expect(JSON.stringify(problem)).not.toMatch(/hunter2|ECONNREFUSED/);
  });
});
