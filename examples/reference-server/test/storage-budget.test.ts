// Storage budgets (507 per key and per endpoint) and storage failures (503 retryable, readiness)
// against the real app on SQLite in a temp DATA_DIR; the usage ledgers on SQLite, Redis and a Redis Cluster.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterSlot, redisUrl } from '@bulwark/testing';
import { hostileKey, sharedCluster } from '@bulwark/testing/own-cluster';
import { freePort } from '@bulwark/testing/own-redis';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { openServerDatabase } from '../src/database.js';
import { redisStorageUsage, type StorageUsage, sqliteStorageUsage } from '../src/delivery/storage-usage.js';
import { buildTestApp } from './helpers.js';

const built: Array<ReturnType<typeof buildTestApp>> = [];
const dirs: string[] = [];
function app(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-budget-'));
  dirs.push(dir);
  const next = buildTestApp({ DATA_DIR: dir, ...env });
  built.push(next);
  return next;
}
afterEach(async () => {
  for (const next of built.splice(0)) for (const closer of next.services.closers) await closer.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Request = ReturnType<typeof buildTestApp>['request'];
async function createKey(request: Request): Promise<string> {
  const response = await request('/admin/api-keys', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ name: 'publisher', scopes: ['events:publish'] }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}
async function createEndpoint(request: Request, eventTypes: string[]): Promise<void> {
  const response = await request('/admin/endpoints', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ url: 'https://receiver.example.com/h', eventTypes }),
  });
  expect(response.status).toBe(201);
}
const publish = (request: Request, key: string, type: string, bytes: number) =>
  request('/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify({ type, payload: { blob: 'x'.repeat(bytes) } }),
  });

/** A real SQLITE_FULL, as better-sqlite3 throws it when the file cannot grow. */
function diskFullError(): Error {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
  try {
    db.prepare('INSERT INTO t (v) VALUES (?)').run('x'.repeat(100_000));
    throw new Error('expected SQLITE_FULL');
  } catch (error) {
    return error as Error;
  } finally {
    db.close();
  }
}

describe('storage budget per endpoint', () => {
  it('answers 507 with Retry-After once an endpoint holds its budget of queued events, from any key, until they are delivered', async () => {
    const { request, services } = app({ STORAGE_BUDGET_BYTES_PER_ENDPOINT: '8192' });
    await createEndpoint(request, ['invoice.paid']);
    const [alice, bob] = [await createKey(request), await createKey(request)];
    expect((await publish(request, alice, 'invoice.paid', 5_000)).status).toBe(202);
    const over = await publish(request, bob, 'invoice.paid', 5_000);
    expect(over.status).toBe(507);
    expect(over.headers.get('retry-after')).toBe('60');
    expect(await over.json()).toMatchObject({ code: 'storage_quota_exceeded', retryable: true });
    // Another type goes to no full endpoint.
    expect((await publish(request, bob, 'invoice.voided', 5_000)).status).toBe(202);

    // Delivered (simulated egress): the endpoint's share is freed.
    const dispatcher = services.delivery?.dispatcher;
    dispatcher?.start();
    await dispatcher?.idle();
    expect((await publish(request, bob, 'invoice.paid', 5_000)).status).toBe(202);
  });
});

describe('storage failures', () => {
  it('a full disk answers 503 retryable with Retry-After, and readiness fails until outages stop', async () => {
    const { request, services, clock } = app();
    const key = await createKey(request);
    await createEndpoint(request, ['invoice.paid']);
    const store = services.delivery?.store;
    if (!store) throw new Error('delivery is wired');
    const enqueue = store.enqueue.bind(store);
    const full = diskFullError();
    expect((full as { code?: string }).code).toBe('SQLITE_FULL');
    store.enqueue = async () => {
      throw full;
    };

    const refused = await publish(request, key, 'invoice.paid', 100);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ code: 'storage_unavailable', retryable: true });
    await services.health.refresh();
    expect((await request('/health/readiness')).status).toBe(503);

    // Space again: requests succeed at once; readiness recovers once no outage was met for 15 s.
    store.enqueue = enqueue;
    expect((await publish(request, key, 'invoice.paid', 100)).status).toBe(202);
    clock.advance(15_000);
    await services.health.refresh();
    expect((await request('/health/readiness')).status).toBe(200);
  });
});

describe('storage failures in fleet mode', () => {
  it('answers admin writes 503 retryable at the store deadline while Redis is unreachable', async () => {
    const port = await freePort(); // nothing listens there
    const { services } = app({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DATA_ENCRYPTION_KEYS: `fleet:${Buffer.alloc(32, 3).toString('base64')}`,
    });
    services.redis?.on('error', () => {});
    // In fleet mode admin credentials and the auth throttle are in Redis too, so with Redis down a
    // request fails (503) before reaching the delivery store: this test is about the store's
    // deadline, so its app authenticates without Redis.
    const direct = createApp({
      ...services,
      authThrottle: { blockedForMs: async () => 0, recordFailure: async () => 0 },
      authenticate: async () => ({ kind: 'token', subject: 'admin-token', scopes: 'all' }),
    });
    const request = async (path: string, init: RequestInit) =>
      direct.request(path, { ...init, headers: { 'content-type': 'application/json' } });
    const store = services.delivery?.store;
    if (!store) throw new Error('delivery is wired');
    await services.health.refresh();
    // Every call of the Redis store (the encrypting proxy forwards its own properties) arms the
    // deadline timer synchronously: once the first call has been entered, time can be driven.
    let entered: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const calls = store as unknown as Record<string, unknown>;
    for (const name of Object.keys(calls)) {
      const method = Object.getOwnPropertyDescriptor(calls, name)?.value as unknown;
      if (typeof method !== 'function' || name === 'close') continue;
      calls[name] = (...args: unknown[]) => {
        const result: unknown = method(...args);
        entered();
        return result;
      };
    }
    // The deadline and ioredis' reconnect loop both run on timers: on fake ones, the answer is
    // there once 3 s have passed, however slowly this machine runs (no wall-clock assertion).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const answered = request('/admin/endpoints', {
        method: 'POST',
        body: JSON.stringify({ url: 'https://receiver.example.com/h' }),
      }).finally(() => {
        settled = true;
      });
      await reached;
      await vi.advanceTimersByTimeAsync(2_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      // The delivery store's 3 s deadline answered, not ioredis' reconnect loop (5.7 s and a 500 before #17).
      expect(settled).toBe(true);
      const response = await answered;
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'delivery_store_timeout', retryable: true });
    } finally {
      vi.useRealTimers();
    }
  });
});

/** One key's or one endpoint's bytes, through the ledger's only read. */
function reads(usage: StorageUsage) {
  return {
    pendingBytes: async (keyId: string) => (await usage.held(keyId, [])).key,
    endpointBytes: async (endpointId: string) => (await usage.held('', [endpointId])).endpoints[0],
  };
}

/** The usage ledger contract, for SQLite, Redis and a Redis Cluster (the storage budgets of a fleet). */
function describeUsage(
  name: string,
  // `legacy` stores a message as written before per-endpoint accounting and returns the ledger to
  // go on with (on SQLite a ledger opened again over the database, as after a restart).
  open: () => Promise<{ usage: StorageUsage; legacy(id: string): Promise<StorageUsage> }>,
) {
  describe(`storage usage ledger: ${name}`, () => {
    it('counts an event once per key and once per endpoint; settling twice frees nothing twice', async () => {
      const { usage } = await open();
      const { pendingBytes, endpointBytes } = reads(usage);
      await usage.add('key_a', 'msg_1', 1_000, ['ep_1', 'ep_2']);
      await usage.add('key_a', 'msg_1', 1_000, ['ep_1', 'ep_2']); // a replayed add
      await usage.add('key_b', 'msg_2', 300, ['ep_1']);
      expect([await pendingBytes('key_a'), await pendingBytes('key_b')]).toEqual([1_000, 300]);
      expect([await endpointBytes('ep_1'), await endpointBytes('ep_2')]).toEqual([1_300, 1_000]);
      // Read together, in the order asked, 0 for what holds nothing; past 16 ids the ids go as one JSON array.
      expect(await usage.held('key_a', ['ep_2', 'ep_none', 'ep_1'])).toEqual({
        key: 1_000,
        endpoints: [1_000, 0, 1_300],
      });
      expect(await usage.held('key_none', [])).toEqual({ key: 0, endpoints: [] });
      const many = [...Array.from({ length: 17 }, (_, i) => `ep_x${i}`), 'ep_1'];
      expect(await usage.held('key_b', many)).toEqual({ key: 300, endpoints: [...Array(17).fill(0), 1_300] });

      await usage.settle('msg_1', 'ep_1');
      await usage.settle('msg_1', 'ep_1');
      expect([await endpointBytes('ep_1'), await endpointBytes('ep_2')]).toEqual([300, 1_000]);
      expect(await pendingBytes('key_a')).toBe(1_000);
      await usage.settle('msg_1', 'ep_2');
      await usage.settle('msg_1', 'ep_2');
      await usage.settle('msg_unknown', 'ep_1');
      expect([await pendingBytes('key_a'), await endpointBytes('ep_2')]).toEqual([0, 0]);
      expect(await pendingBytes('key_b')).toBe(300);
    });

    it('counts the same when the adds and settles of many publishes arrive at once (one turn, one commit)', async () => {
      const { usage } = await open();
      const { pendingBytes, endpointBytes } = reads(usage);
      await Promise.all([
        usage.add('key_c', 'msg_c1', 100, ['ep_c']),
        usage.add('key_c', 'msg_c1', 100, ['ep_c']), // a replay in the same turn
        usage.add('key_c', 'msg_c2', 50, ['ep_c', 'ep_d']),
      ]);
      expect([await pendingBytes('key_c'), await endpointBytes('ep_c')]).toEqual([150, 150]);
      await Promise.all([
        usage.settle('msg_c1', 'ep_c'),
        usage.settle('msg_c1', 'ep_c'),
        usage.settle('msg_c2', 'ep_c'),
        usage.settle('msg_c2', 'ep_d'),
      ]);
      expect([await pendingBytes('key_c'), await endpointBytes('ep_c')]).toEqual([0, 0]);
      expect(await endpointBytes('ep_d')).toBe(0);
    });

    it('counts down a message recorded before per-endpoint accounting', async () => {
      const { legacy } = await open();
      const usage = await legacy('msg_old');
      const { pendingBytes } = reads(usage);
      expect(await pendingBytes('key_old')).toBe(500);
      await usage.settle('msg_old', 'ep_1');
      expect(await pendingBytes('key_old')).toBe(500);
      await usage.settle('msg_old', 'ep_2');
      expect(await pendingBytes('key_old')).toBe(0);
    });
  });
}

/** A message as the SQLite ledger stored it before per-endpoint accounting (no endpoint rows). */
function legacySqliteRow(db: Database.Database, id: string): void {
  db.prepare(
    "INSERT INTO usage_pending (message_id, key_id, bytes, deliveries_left) VALUES (?, 'key_old', 500, 2)",
  ).run(id);
}

describeUsage('SQLite', async () => {
  const { db } = openServerDatabase(':memory:');
  return {
    usage: sqliteStorageUsage(db),
    async legacy(id) {
      legacySqliteRow(db, id);
      return sqliteStorageUsage(db);
    },
  };
});

describeUsage('SQLite, group commit', async () => {
  const database = openServerDatabase(':memory:');
  const { db } = database;
  return {
    usage: sqliteStorageUsage(db, database.writes.run),
    async legacy(id) {
      legacySqliteRow(db, id);
      return sqliteStorageUsage(db, database.writes.run);
    },
  };
});

describe('storage usage ledger: SQLite totals kept in memory', () => {
  const everything = async (usage: StorageUsage, keys: readonly string[], endpoints: readonly string[]) =>
    Promise.all(keys.map((key) => usage.held(key, endpoints)));

  it('property: for any adds and settles, a ledger opened again over the database (a restart) reads what the running one does', async () => {
    const keys = ['key_1', 'key_2'];
    const endpoints = ['ep_1', 'ep_2', 'ep_3'];
    const operation = fc.oneof(
      fc.record({
        op: fc.constant('add' as const),
        key: fc.constantFrom(...keys),
        message: fc.integer({ min: 0, max: 5 }),
        bytes: fc.integer({ min: 1, max: 1_000 }),
        endpoints: fc.subarray(endpoints),
      }),
      fc.record({
        op: fc.constant('settle' as const),
        message: fc.integer({ min: 0, max: 5 }),
        endpoint: fc.constantFrom(...endpoints),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 30 }), fc.boolean(), async (operations, together) => {
        const database = openServerDatabase(':memory:');
        const usage = sqliteStorageUsage(database.db, database.writes.run);
        const apply = (o: (typeof operations)[number]) =>
          o.op === 'add'
            ? usage.add(o.key, `msg_${o.message}`, o.bytes, o.endpoints)
            : usage.settle(`msg_${o.message}`, o.endpoint);
        if (together) await Promise.all(operations.map(apply));
        else for (const o of operations) await apply(o);
        const reopened = sqliteStorageUsage(database.db, database.writes.run);
        expect(await everything(reopened, keys, endpoints)).toEqual(await everything(usage, keys, endpoints));
        await database.close();
      }),
      { numRuns: 60 },
    );
  });

  it('changes no total for a write that failed and was rolled back', async () => {
    const database = openServerDatabase(':memory:');
    const usage = sqliteStorageUsage(database.db, database.writes.run);
    await usage.add('key_a', 'msg_1', 100, ['ep_1']);
    // The endpoint rows' table is gone: the next add fails after writing its message row.
    database.db.exec('ALTER TABLE usage_pending_endpoint RENAME TO usage_pending_endpoint_gone');
    await expect(usage.add('key_a', 'msg_2', 900, ['ep_1'])).rejects.toThrow(/usage_pending_endpoint/);
    expect(await usage.held('key_a', ['ep_1'])).toEqual({ key: 100, endpoints: [100] });
    expect(database.db.prepare("SELECT 1 FROM usage_pending WHERE message_id = 'msg_2'").get()).toBeUndefined();
    await database.close();
  });
});

const url = redisUrl();
const clients: Redis[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const [i, redis] of clients.entries()) {
    const keys = await redis.keys(`${prefixes[i]}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});
describeUsage('Redis', async () => {
  if (!url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
  const redis = new Redis(url);
  const prefix = `bulwark-test:usage:${randomUUID()}:`;
  clients.push(redis);
  prefixes.push(prefix);
  const usage = redisStorageUsage(redis, prefix);
  return {
    usage,
    async legacy(id) {
      await redis.hset(`${prefix}{usage}:msg:${id}`, 'key', 'key_old', 'bytes', 500, 'left', 2);
      await redis.hset(`${prefix}{usage}:by-key`, 'key_old', 500);
      return usage;
    },
  };
});

const clusters: Array<{ cluster: Cluster; prefix: string }> = [];
afterAll(async () => {
  for (const { cluster, prefix } of clusters) {
    for (const node of cluster.nodes('master')) {
      for (const key of await node.keys(`${prefix}*`)) await cluster.del(key);
    }
    cluster.disconnect();
  }
});
describeUsage('Redis Cluster', async () => {
  const cluster = new Cluster(await sharedCluster(), {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1 },
  });
  cluster.on('error', () => {});
  await new Promise((resolve) => cluster.once('ready', resolve));
  const prefix = `bulwark-test:usage-cluster:${randomUUID()}:`;
  clusters.push({ cluster, prefix });
  const usage = redisStorageUsage(cluster, prefix);
  return {
    usage,
    async legacy(id) {
      await cluster.hset(`${prefix}{usage}:msg:${id}`, 'key', 'key_old', 'bytes', 500, 'left', 2);
      await cluster.hset(`${prefix}{usage}:by-key`, 'key_old', 500);
      return usage;
    },
  };
});

describe('storage usage ledger on a Redis Cluster, for any ids', () => {
  it('property: for any message, key and endpoint ids (braces included) every script names keys of one slot, and the Cluster counts what standalone Redis does', async () => {
    if (!url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
    const cluster = new Cluster(await sharedCluster(), {
      enableOfflineQueue: false,
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    cluster.on('error', () => {});
    await new Promise((resolve) => cluster.once('ready', resolve));
    const redis = new Redis(url);
    const prefix = `bulwark-test:usage-ids:${randomUUID()}:`;
    clusters.push({ cluster, prefix });
    clients.push(redis);
    prefixes.push(prefix);
    const seen: string[] = [];
    // The cluster client, with the keys of every script it is sent recorded.
    const spied = new Proxy(cluster, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== 'eval') return value;
        return (script: string, count: number, ...args: unknown[]) => {
          seen.push(...args.slice(0, count).map(String));
          return target.eval(script, count, ...(args as string[]));
        };
      },
    });
    const onCluster = redisStorageUsage(spied, prefix);
    const alone = redisStorageUsage(redis, prefix);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileKey,
        hostileKey,
        fc.uniqueArray(hostileKey, { minLength: 1, maxLength: 3 }),
        async (message, key, endpoints) => {
          n++;
          const [messageId, keyId] = [`${n}:${message}`, `${n}:${key}`];
          const endpointIds = endpoints.map((e) => `${n}:${e}`);
          const counts = async (usage: StorageUsage) => {
            const { pendingBytes, endpointBytes } = reads(usage);
            await usage.add(keyId, messageId, 100, endpointIds);
            const added = [await pendingBytes(keyId), await endpointBytes(endpointIds[0] as string)];
            await usage.settle(messageId, endpointIds[0] as string);
            return [...added, await pendingBytes(keyId), await endpointBytes(endpointIds[0] as string)];
          };
          seen.length = 0;
          const [a, b] = [await counts(onCluster), await counts(alone)];
          expect(a).toEqual(b);
          expect(a).toEqual([100, 100, endpointIds.length > 1 ? 100 : 0, 0]);
          expect(seen).toHaveLength(6);
          expect(new Set(seen.map(clusterSlot)).size).toBe(1);
        },
      ),
      { numRuns: 40 },
    );
  });
});
