import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStoreConformance } from './store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-delivery-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
let current = '';

describeStoreConformance('sqlite', {
  async open() {
    current = join(dir, `store-${counter++}.db`);
    return createSqliteStore({ path: current });
  },
  async reopen() {
    return createSqliteStore({ path: current, synchronous: 'FULL', busyTimeoutMs: 1000 });
  },
});

describe('createSqliteStore', () => {
  it('uses WAL journaling', async () => {
    const path = join(dir, 'wal.db');
    const store = createSqliteStore({ path });
    await store.close();
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('returns nothing for a zero limit', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    expect(await store.claim({ now: 0, leaseMs: 1, limit: 0 })).toEqual([]);
    expect(await store.getDelivery('nope')).toBeUndefined();
    await store.close();
  });
});
