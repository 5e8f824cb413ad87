// The payload is stored once per event, not once per endpoint: a message published to three
// endpoints grows the store by about one copy of its body, on SQLite (file bytes) and on Redis
// (MEMORY USAGE of the store's keys). The shared copy lives as long as one delivery references
// it; files and keys written with inline payloads keep working.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisStore } from '@bulwark/delivery/redis';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { FakeClock, redisUrl } from '@bulwark/testing';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type DeliveryStore, type NewDelivery } from '../src/index.js';
import { scriptedTransport } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const KIB = 1024;
const BODY_BYTES = 256 * KIB;
const EVENTS = 12;
const url = redisUrl();
const run = `bulwark-test:payloads:${Date.now().toString(36)}`;
let prefixes = 0;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Publishes `EVENTS` events of ~256 KiB each to three endpoints, all delivered by the worker. */
async function publishToThreeEndpoints(store: DeliveryStore): Promise<void> {
  const clock = new FakeClock(T0);
  const dispatcher = createDispatcher({
    store,
    transport: scriptedTransport(clock, () => ({ status: 204 })),
    clock,
    timers: clock,
  });
  for (const id of ['ep_a', 'ep_b', 'ep_c']) {
    await dispatcher.endpoints.create({ id, url: `https://${id}.example.com/hook` });
  }
  for (let i = 0; i < EVENTS; i++) {
    // Random base64: incompressible, so no layer could hide a copy.
    const result = await dispatcher.publish({
      type: 'blob.stored',
      payload: { data: randomBytes(192 * KIB).toString('base64') },
    });
    expect(result.deliveryIds).toHaveLength(3);
  }
  await dispatcher.close({ deadlineMs: 0 });
  await store.close();
}

function delivery(n: number, payload: string, endpointId = 'ep_a'): NewDelivery {
  const messageId = `msg_${n}`;
  return {
    id: `${messageId}:${endpointId}`,
    messageId,
    endpointId,
    eventType: 't',
    payload,
    createdAt: T0,
    nextAt: T0,
  };
}

/** Claims and completes every due delivery as succeeded at `now`. */
async function deliverAll(store: DeliveryStore, now: number): Promise<void> {
  for (const claimed of await store.claim({ now, leaseMs: 1_000, limit: 100 })) {
    await store.complete(claimed.id, claimed.leaseToken, {
      status: 'succeeded',
      nextAt: now,
      attempt: null,
      lastError: null,
      now,
    });
  }
}

describe('SQLite store: one payload copy per event', () => {
  const fileBytes = (path: string): number =>
    statSync(path).size +
    (() => {
      try {
        return statSync(`${path}-wal`).size;
      } catch {
        return 0;
      }
    })();

  it('grows by about one body per event published to three endpoints, not three', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-payloads-'));
    const path = join(dir, 'deliveries.db');
    const empty = createSqliteStore({ path, checkpoint: 'inline' });
    await empty.close();
    const before = fileBytes(path);
    await publishToThreeEndpoints(createSqliteStore({ path, checkpoint: 'inline' }));
    const grown = fileBytes(path) - before;
    // Inline per delivery this was ~3 × 12 × 256 KiB = 9 MiB; one copy each is ~3 MiB.
    expect(grown).toBeGreaterThan(EVENTS * BODY_BYTES);
    expect(grown).toBeLessThan(EVENTS * BODY_BYTES * 1.5);
  });

  it('keeps a shared body until its last delivery is pruned, and never keeps an unreferenced one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-payloads-'));
    const path = join(dir, 'deliveries.db');
    const store = createSqliteStore({ path });
    const rows = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT refs FROM payloads ORDER BY id').pluck().all();
      } finally {
        db.close();
      }
    };
    try {
      await store.enqueue([delivery(1, '{"a":1}', 'ep_a'), delivery(1, '{"a":1}', 'ep_b')]);
      // Re-publishing ids already stored (with any body) writes nothing, not even a payload.
      expect(await store.enqueue([delivery(1, '{"other":true}', 'ep_a')])).toEqual([]);
      expect(rows()).toEqual([2]);
      await store.enqueue([delivery(2, '{"a":1}', 'ep_c')]);
      expect(rows()).toEqual([3]);

      await deliverAll(store, T0);
      const a = await store.getDelivery('msg_1:ep_a');
      expect(a?.payload).toBe('{"a":1}');
      expect(await store.prune({ before: T0 + 1, limit: 2 })).toBe(2);
      expect(rows()).toEqual([1]);
      expect((await store.listDeliveries()).map((d) => d.payload)).toEqual(['{"a":1}']);
      expect(await store.prune({ before: T0 + 1, limit: 10 })).toBe(1);
      expect(rows()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('moves the inline payloads of a file written before the payload table, once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-payloads-'));
    const path = join(dir, 'legacy.db');
    const legacy = new Database(path);
    legacy.exec(`CREATE TABLE deliveries (
      id TEXT PRIMARY KEY, message_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, event_type TEXT NOT NULL,
      payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
      lease_token TEXT, last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, total_attempts INTEGER NOT NULL DEFAULT 0)`);
    const insert = legacy.prepare(
      `INSERT INTO deliveries (id, message_id, endpoint_id, event_type, payload, status, next_at, created_at, updated_at)
       VALUES (?, ?, ?, 't', ?, 'pending', ?, ?, ?)`,
    );
    // 2,500 deliveries (three batches), three endpoints per message, plus one empty body.
    legacy.transaction(() => {
      for (let n = 0; n < 833; n++) {
        for (const ep of ['ep_a', 'ep_b', 'ep_c'])
          insert.run(`msg_${n}:${ep}`, `msg_${n}`, ep, `{"n":${n}}`, T0, T0, T0);
      }
      insert.run('msg_empty:ep_z', 'msg_empty', 'ep_z', '', T0, T0, T0);
    })();
    legacy.close();

    const store = createSqliteStore({ path });
    try {
      const db = new Database(path, { readonly: true });
      expect(db.prepare('SELECT COUNT(*) FROM payloads').pluck().get()).toBe(833);
      expect(db.prepare('SELECT SUM(refs) FROM payloads').pluck().get()).toBe(2_499);
      expect(db.prepare("SELECT COUNT(*) FROM deliveries WHERE payload <> ''").pluck().get()).toBe(0);
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      db.close();
      expect((await store.getDelivery('msg_832:ep_c'))?.payload).toBe('{"n":832}');
      const claimed = await store.claim({
        now: T0,
        leaseMs: 1_000,
        limit: 3,
        maxPerEndpoint: 1,
        excludeEndpoints: ['ep_z'],
      });
      expect(claimed.map((d) => d.payload)).toEqual(['{"n":0}', '{"n":0}', '{"n":0}']);
      // The empty body stayed inline (nothing to move); it reads and prunes like any other.
      const [empty] = await store.claim({
        now: T0,
        leaseMs: 1_000,
        limit: 1,
        excludeEndpoints: ['ep_a', 'ep_b', 'ep_c'],
      });
      expect(empty).toMatchObject({ id: 'msg_empty:ep_z', payload: '' });
      await store.complete('msg_empty:ep_z', empty!.leaseToken, {
        status: 'succeeded',
        nextAt: T0,
        attempt: null,
        lastError: null,
        now: T0,
      });
      expect(await store.prune({ before: T0 + 1, limit: 10 })).toBe(1);
    } finally {
      await store.close();
    }
    // Reopening does not migrate again.
    const again = createSqliteStore({ path });
    expect((await again.getDelivery('msg_5:ep_b'))?.payload).toBe('{"n":5}');
    await again.close();
  });
});

describe('Redis store: one payload copy per event', () => {
  let client: Redis | undefined;
  const requireUrl = (): string => {
    if (!url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
    return url;
  };
  const redisClient = (): Redis => {
    client ??= new Redis(requireUrl());
    return client;
  };
  afterAll(async () => {
    const redis = client;
    if (!redis) return;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${run}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  });
  const open = (): { store: DeliveryStore; prefix: string } => {
    const prefix = `${run}:${prefixes++}`;
    return { store: createRedisStore({ connection: requireUrl(), prefix }), prefix };
  };
  const memory = async (prefix: string): Promise<number> => {
    const redis = redisClient();
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 500);
      for (const key of keys) total += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      cursor = next;
    } while (cursor !== '0');
    return total;
  };

  it('grows by about one body per event published to three endpoints, not three', async () => {
    const { store, prefix } = open();
    const before = await memory(prefix);
    await publishToThreeEndpoints(store);
    // jemalloc rounds a 256 KiB string up to its 320 KiB size class: one copy is ~1.25 × the bytes.
    const grown = (await memory(prefix)) - before;
    expect(grown).toBeGreaterThan(EVENTS * BODY_BYTES);
    expect(grown).toBeLessThan(EVENTS * BODY_BYTES * 1.5);
  });

  it('keeps a shared body until its last delivery is pruned; records with inline bodies still read and prune', async () => {
    const { store, prefix } = open();
    const redis = redisClient();
    try {
      await store.enqueue([delivery(1, '{"a":1}', 'ep_a'), delivery(1, '{"a":1}', 'ep_b'), delivery(2, '{"b":2}')]);
      expect(await redis.hgetall(`{${prefix}}:plref`)).toEqual({
        [await hashOf('{"a":1}')]: '2',
        [await hashOf('{"b":2}')]: '1',
      });
      // A record as written before the payload keys: body inline, no payloadHash.
      const raw = JSON.parse((await redis.hget(`{${prefix}}:d`, 'msg_2:ep_a')) as string) as Record<string, unknown>;
      const { payloadHash: _hash, ...legacy } = raw;
      await redis.hset(`{${prefix}}:d`, 'msg_2:ep_a', JSON.stringify({ ...legacy, payload: '{"inline":true}' }));

      expect((await store.getDelivery('msg_2:ep_a'))?.payload).toBe('{"inline":true}');
      const claimed = await store.claim({ now: T0, leaseMs: 1_000, limit: 10 });
      expect(claimed.map((d) => d.payload).sort()).toEqual(['{"a":1}', '{"a":1}', '{"inline":true}']);
      for (const c of claimed) {
        await store.complete(c.id, c.leaseToken, {
          status: 'succeeded',
          nextAt: T0,
          attempt: null,
          lastError: null,
          now: T0,
        });
      }
      expect((await store.listDeliveries()).map((d) => d.payload).sort()).toEqual([
        '{"a":1}',
        '{"a":1}',
        '{"inline":true}',
      ]);
      expect(await store.prune({ before: T0 + 1, limit: 10 })).toBe(3);
      // Released: the shared body. Kept: the count of the record this test rewrote inline (an
      // inline record never holds a reference).
      expect(await redis.hlen(`{${prefix}}:plref`)).toBe(1);
      expect(await redis.hkeys(`{${prefix}}:pl`)).toEqual([await hashOf('{"b":2}')]);
    } finally {
      await store.close();
    }
  });
});

async function hashOf(body: string): Promise<string> {
  const { payloadHash } = await import('../src/stores/payload-hash.js');
  return payloadHash(body);
}
