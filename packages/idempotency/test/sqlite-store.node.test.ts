import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createIdempotency } from '../src/index.js';
import { createSqliteStore } from '../src/sqlite.js';
import { storeConformance } from './support/store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'idem-sqlite-'));
const file = join(dir, 'idempotency.db');
const store = createSqliteStore({ path: file });
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

storeConformance('sqlite', () => store);

/**
 * A group-commit queue as `writes` expects one: the writes of one turn run in one `BEGIN
 * IMMEDIATE` transaction, each in its own savepoint, resolved only after the commit.
 */
function turnQueue(db: Database.Database): { writes: <T>(write: () => T) => Promise<T>; commits: () => number } {
  let queue: Array<{ write: () => unknown; settle: (outcome: { ok: boolean; value: unknown }) => void }> = [];
  let commits = 0;
  const savepoint = db.transaction((write: () => unknown) => write());
  const batch = db.transaction((writes: typeof queue) =>
    writes.map((w) => {
      try {
        return { ok: true, value: savepoint(w.write) };
      } catch (error) {
        return { ok: false, value: error };
      }
    }),
  );
  return {
    commits: () => commits,
    writes: <T>(write: () => T) =>
      new Promise<T>((resolve, reject) => {
        queue.push({ write, settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.value)) });
        if (queue.length > 1) return;
        setImmediate(() => {
          const writes = queue;
          queue = [];
          const outcomes = batch.immediate(writes);
          commits++;
          for (const [i, outcome] of outcomes.entries()) writes[i]?.settle(outcome);
        });
      }),
  };
}

const queuedDb = new Database(':memory:');
const queue = turnQueue(queuedDb);
storeConformance('sqlite with writes queued per turn', () =>
  createSqliteStore({ database: queuedDb, table: 'queued_records', writes: queue.writes }),
);

describe('createSqliteStore', () => {
  it('two connections to one file (two processes) never both acquire a key', async () => {
    const other = createSqliteStore({ path: file });
    const a = createIdempotency({ store });
    const b = createIdempotency({ store: other });
    let runs = 0;
    const op = async () => {
      runs++;
      return 'v';
    };
    const first = await a.begin('shared-file-key');
    expect(first.replayed).toBe(false);
    await expect(b.run('shared-file-key', op)).rejects.toMatchObject({ code: 'idempotency_request_in_progress' });
    if (!first.replayed) await first.complete('from-a');
    expect(await b.run('shared-file-key', op)).toEqual({ value: 'from-a', replayed: true });
    expect(runs).toBe(0);
    other.close();
  });

  it('works on a shared database handle and a custom table, leaving the handle open and its busy timeout as it was', async () => {
    const db = new Database(':memory:');
    db.pragma('busy_timeout = 4321');
    const shared = createSqliteStore({ database: db, table: 'idem_custom', sweepEvery: 1 });
    expect(db.pragma('busy_timeout', { simple: true })).toBe(4321); // the host's connection setting is kept
    const idempotency = createIdempotency({ store: shared });
    expect((await idempotency.run('k', () => 1)).replayed).toBe(false);
    expect((await idempotency.run('k', () => 2)).value).toBe(1);
    shared.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM idem_custom').get()).toEqual({ n: 1 });
    expect(shared.prune(Number.MAX_SAFE_INTEGER)).toBe(1);
    db.close();
  });

  it('stores only hashed keys: the caller key and principal never reach the file', async () => {
    const idempotency = createIdempotency({ store });
    await idempotency.run('order-4711', () => 'ok', { principal: 'alice@example.com' });
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT key FROM idempotency_records').all() as Array<{ key: string }>;
    db.close();
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key))).toBe(true);
  });

  it('a file locked by another process fails closed after busyTimeoutMs: 503, the operation never runs', async () => {
    const blocker = new Database(file);
    blocker.exec('BEGIN IMMEDIATE');
    const waiting = createSqliteStore({ path: file, busyTimeoutMs: 50 });
    const op = vi.fn(() => 1);
    const started = performance.now();
    await expect(createIdempotency({ store: waiting }).run('locked-file', op)).rejects.toMatchObject({
      code: 'idempotency_store_unavailable',
      status: 503,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(op).not.toHaveBeenCalled();
    blocker.exec('ROLLBACK');
    expect((await createIdempotency({ store: waiting }).run('locked-file', op)).value).toBe(1);
    waiting.close();
    blocker.close();
  });

  it('with `writes`, the claims and completions of one turn share one transaction, and a key is still claimed once', async () => {
    const db = new Database(':memory:');
    const { writes, commits } = turnQueue(db);
    const shared = createSqliteStore({ database: db, writes });
    const idempotency = createIdempotency({ store: shared });
    let runs = 0;
    const results = await Promise.allSettled(
      ['a', 'b', 'a', 'c'].map((key) =>
        idempotency.run(key, () => {
          runs++;
          return key;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toMatchObject({ reason: { code: 'idempotency_request_in_progress' } });
    expect(runs).toBe(3);
    expect(commits()).toBe(2); // the four claims in one transaction, the three completions in another
    expect(await idempotency.run('a', () => 'again')).toEqual({ value: 'a', replayed: true });
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('validates its options', () => {
    expect(() => createSqliteStore({})).toThrow(/`path`/);
    expect(() => createSqliteStore({ path: ':memory:', table: 'x; DROP TABLE y' })).toThrow(/`table`/);
    expect(() => createSqliteStore({ path: ':memory:', busyTimeoutMs: -1 })).toThrow(/`busyTimeoutMs`/);
    expect(() => createSqliteStore({ path: ':memory:', writes: 'yes' as never })).toThrow(/`writes`/);
  });
});
