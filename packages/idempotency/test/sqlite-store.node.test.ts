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

  it('validates its options', () => {
    expect(() => createSqliteStore({})).toThrow(/`path`/);
    expect(() => createSqliteStore({ path: ':memory:', table: 'x; DROP TABLE y' })).toThrow(/`table`/);
    expect(() => createSqliteStore({ path: ':memory:', busyTimeoutMs: -1 })).toThrow(/`busyTimeoutMs`/);
  });
});
