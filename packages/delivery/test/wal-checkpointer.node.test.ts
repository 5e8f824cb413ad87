// createWalCheckpointer: an application's own better-sqlite3 connection gets the background WAL
// checkpoints of the SQLite store (its inline checkpoint kept only as the fallback).
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CheckpointResult, createWalCheckpointer } from '@bulwark/delivery/sqlite';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-wal-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function walDatabase(name: string): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return db;
}

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });

describe('createWalCheckpointer', () => {
  it('copies the WAL back from a worker thread and leaves the connection only the 10,000-page fallback', async () => {
    const db = walDatabase('app.db');
    let checkpointed: (result: CheckpointResult) => void = () => {};
    const first = new Promise<CheckpointResult>((resolve) => {
      checkpointed = resolve;
    });
    const checkpointer = createWalCheckpointer(db, { intervalMs: 5, onCheckpoint: (r) => checkpointed(r) });
    expect(autocheckpoint(db)).toBe(10_000);
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(500));
    })();
    const result = await first;
    expect(result.checkpointed).toBeGreaterThan(0);
    expect(result.walFrames).toBeGreaterThanOrEqual(result.checkpointed);
    await checkpointer.close();
    await checkpointer.close();
    db.close();
    const reopened = new Database(join(dir, 'app.db'));
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM rows').get()).toEqual({ n: 200 });
    reopened.close();
  });

  it('falls back to SQLite’s inline checkpoints when the worker cannot open the file', async () => {
    const db = walDatabase('unlinked.db');
    unlinkSync(join(dir, 'unlinked.db')); // the open connection keeps working; the worker finds no file
    const checkpointer = createWalCheckpointer(db, { intervalMs: 5 });
    await vi.waitFor(() => expect(autocheckpoint(db)).toBe(1_000));
    await checkpointer.close();
    db.close();
  });

  it('does nothing for an in-memory connection', async () => {
    const db = new Database(':memory:');
    const before = autocheckpoint(db);
    const checkpointer = createWalCheckpointer(db);
    expect(autocheckpoint(db)).toBe(before);
    await checkpointer.close();
    db.close();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects an interval of %s', (intervalMs) => {
    const db = new Database(':memory:');
    expect(() => createWalCheckpointer(db, { intervalMs })).toThrow(
      new RangeError('`intervalMs` must be a number >= 1'),
    );
    db.close();
  });
});
