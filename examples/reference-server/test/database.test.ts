// The server database: the request path's commits (event ids, the storage ledger) never run a
// WAL checkpoint on the event loop; a worker thread copies the WAL back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openServerDatabase } from '../src/database.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openServerDatabase', () => {
  it('leaves WAL checkpoints to a worker thread: inline only past the 10,000-page fallback', async () => {
    const database = openServerDatabase(dir);
    // SQLite's default (1,000 pages) made the commit that crossed it checkpoint inline, ~15 ms.
    expect(database.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    await database.close();
  });

  it('commits what is queued on close and reopens with it', async () => {
    const database = openServerDatabase(dir);
    const insert = database.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    const written = database.writes.run(() => insert.run('closing', 'committed'));
    await database.close();
    await written;
    const reopened = openServerDatabase(dir);
    expect(reopened.db.prepare('SELECT value FROM settings WHERE key = ?').get('closing')).toEqual({
      value: 'committed',
    });
    await reopened.close();
  });

  it('keeps no stored totals for the storage ledger (they are summed from its message rows)', async () => {
    const database = openServerDatabase(':memory:');
    const tables = database.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'usage%' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['usage_pending', 'usage_pending_endpoint']);
    await database.close();
  });

  it('has no checkpointer to stop in memory', async () => {
    const database = openServerDatabase(':memory:');
    expect(database.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await database.close();
  });
});
