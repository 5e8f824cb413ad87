import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis.js';
import { createSqliteStore } from '../src/sqlite.js';
import type { ClaimedDelivery, DeliveryStore } from '../src/store.js';
import { QUEUE_SQL } from '../src/stores/sqlite-queue.js';
import { delivery } from './store-conformance.js';
import { privateRedis } from './support/private-redis.js';

const T0 = 1_700_000_000_000;

/** `backlog` due deliveries for `ep_busy` (saturated in the worker, so excluded) and 3 for `ep_free`. */
async function fill(store: DeliveryStore, backlog: number): Promise<void> {
  for (let i = 0; i < backlog; i += 1_000) {
    const n = Math.min(1_000, backlog - i);
    await store.enqueue(Array.from({ length: n }, (_, j) => delivery(10_000 + i + j, { endpointId: 'ep_busy' })));
  }
  await store.enqueue([1, 2, 3].map((n) => delivery(n, { endpointId: 'ep_free', nextAt: T0 + n })));
}

const claimWhileBusyIsSaturated = (store: DeliveryStore) =>
  store.claim({ now: T0 + 10, leaseMs: 30_000, limit: 16, excludeEndpoints: ['ep_busy'], maxPerEndpoint: 16 });

describe('claim cost does not depend on the backlog (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-delivery-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans every claim statement as an index search, never a scan of deliveries', async () => {
    const path = join(dir, 'plan.db');
    const store = createSqliteStore({ path, checkpoint: 'inline' });
    await fill(store, 2_000);
    await store.close();
    const db = new Database(path);
    db.exec('ANALYZE'); // with statistics too, the planner must keep to the indexes
    const plan = (sql: string, params: Record<string, unknown> | unknown[]) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(params)
        .map((row) => (row as { detail: string }).detail);
    const claimPlan = plan(QUEUE_SQL.dueOfEndpoint, { endpoint: 'ep_free', now: T0, n: 16 });
    expect(claimPlan).toEqual([
      expect.stringMatching(
        /^SEARCH deliveries USING (?:COVERING )?INDEX deliveries_queue \(endpoint_id=\? AND next_at<\?\)$/,
      ),
    ]);
    expect(plan(QUEUE_SQL.lease, { rid: 1, token: 't', until: T0, now: T0 })).toEqual([
      expect.stringMatching(/^SEARCH deliveries USING INTEGER PRIMARY KEY \(rowid=\?\)$/),
    ]);
    expect(plan(QUEUE_SQL.dueHeads, { now: T0, n: 17 })).toEqual([
      expect.stringMatching(/^SEARCH claim_heads USING (?:COVERING )?INDEX claim_heads_due \(next_at<\?\)$/),
    ]);
    expect(plan(QUEUE_SQL.firstQueued, ['ep_free'])).toEqual([
      expect.stringMatching(/^SEARCH deliveries USING (?:COVERING )?INDEX deliveries_queue \(endpoint_id=\?\)$/),
    ]);
    db.close();
  });

  it('claims the other endpoints past a backlog it must skip, and keeps the heads exact', async () => {
    const store = createSqliteStore({ path: join(dir, 'skip.db') });
    await fill(store, 5_000);
    const claimed = await claimWhileBusyIsSaturated(store);
    expect(claimed.map((d) => d.endpointId)).toEqual(['ep_free', 'ep_free', 'ep_free']);
    await store.close();
    const db = new Database(join(dir, 'skip.db'), { readonly: true });
    expect(db.prepare('SELECT endpoint_id, next_at FROM claim_heads ORDER BY endpoint_id').all()).toEqual([
      { endpoint_id: 'ep_busy', next_at: T0 },
      { endpoint_id: 'ep_free', next_at: T0 + 10 + 30_000 },
    ]);
    db.close();
  });

  it('keeps the heads exact when one transaction completes many deliveries of an endpoint (head recomputed once, before commit)', async () => {
    const path = join(dir, 'batch.db');
    const store = createSqliteStore({ path });
    await store.enqueue([1, 2, 3, 4].map((n) => delivery(n, { endpointId: 'ep_a', nextAt: T0 })));
    const claimed = await store.claim({ now: T0, leaseMs: 30_000, limit: 4 });
    expect(claimed).toHaveLength(4);
    const [a, b, c, d] = claimed as [ClaimedDelivery, ClaimedDelivery, ClaimedDelivery, ClaimedDelivery];
    const done = (x: ClaimedDelivery, status: 'pending' | 'succeeded', nextAt: number) =>
      store.complete(x.id, x.leaseToken, { status, nextAt, attempt: null, lastError: null, now: T0 + 1 });
    // One event-loop turn: one transaction. The claim, queued after the completions, must see
    // the delivery handed back due at T0 + 5 (the head is settled before a claim reads it).
    const [, , , , reclaimed] = await Promise.all([
      done(a, 'succeeded', T0 + 1),
      done(b, 'pending', T0 + 500),
      done(c, 'pending', T0 + 5),
      done(d, 'succeeded', T0 + 1),
      store.claim({ now: T0 + 5, leaseMs: 30_000, limit: 4 }),
    ]);
    expect(reclaimed.map((x) => x.id)).toEqual([c.id]);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT endpoint_id, next_at FROM claim_heads').all()).toEqual([
      { endpoint_id: 'ep_a', next_at: T0 + 500 },
    ]);
    db.close();
  });
});

// Counts every command Redis runs, scripts' inner calls included (INFO commandstats), on a
// private server so no other suite's traffic is counted.
describe('claim cost does not depend on the backlog (Redis)', () => {
  const redis = privateRedis();

  async function commandsOfOneClaim(backlog: number): Promise<{ calls: number; claimed: string[] }> {
    const store = createRedisStore({ connection: redis.url, prefix: `cost:${backlog}` });
    await fill(store, backlog);
    await redis.admin.config('RESETSTAT');
    const claimed = await claimWhileBusyIsSaturated(store);
    const stats = await redis.commandCalls();
    await store.close();
    let calls = 0;
    for (const [command, count] of stats) {
      // The commands the claim's script ran (not INFO/CONFIG of this test, nor the script call:
      // the first store's claim is an EVALSHA refused with NOSCRIPT and then an EVAL, the second one EVALSHA).
      if (!['info', 'config', 'eval', 'evalsha'].includes(command)) calls += count;
    }
    return { calls, claimed: claimed.map((d) => d.endpointId) };
  }

  it('runs the same commands for a claim behind 100 or 20,000 queued deliveries of an excluded endpoint', async () => {
    const small = await commandsOfOneClaim(100);
    const large = await commandsOfOneClaim(20_000);
    expect(small.claimed).toEqual(['ep_free', 'ep_free', 'ep_free']);
    expect(large.claimed).toEqual(small.claimed);
    expect(large.calls).toBe(small.calls);
    // ZRANGEBYSCORE of heads and of the queue, HMGET of the records, ZADD of the leases, head
    // refresh (ZRANGE, ZADD), HSET of the records, HMGET of the bodies, two counters.
    expect(small.calls).toBe(10);
  });
});
