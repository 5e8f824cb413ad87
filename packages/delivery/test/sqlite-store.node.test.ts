import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../src/stores/wal-checkpointer.js';
import { delivery, describeStoreConformance } from './store-conformance.js';

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

  it('checkpoints the WAL from a worker thread, not the committing event loop', async () => {
    const path = join(dir, 'checkpointed.db');
    let store: ReturnType<typeof createSqliteStore> | undefined;
    const checkpointed = new Promise<{ walFrames: number; checkpointed: number }>((resolve) => {
      store = createSqliteStore({ path, checkpointIntervalMs: 5, onCheckpoint: resolve });
    });
    await store?.enqueue(Array.from({ length: 200 }, (_, i) => delivery(i, { payload: 'x'.repeat(500) })));
    const result = await checkpointed;
    expect(result.checkpointed).toBeGreaterThan(0);
    expect(result.walFrames).toBeGreaterThanOrEqual(result.checkpointed);
    await store?.close();
    const reopened = createSqliteStore({ path, checkpoint: 'inline' });
    expect((await reopened.counts()).pending).toBe(200);
    await reopened.close();
  });

  it('reports a checkpointer that cannot run, so the store falls back to inline checkpoints', async () => {
    const failure = await new Promise<Error>((onFailure) => {
      startWalCheckpointer({ path: join(dir, 'missing', 'nothing.db'), intervalMs: 5, onFailure });
    });
    expect(failure.message).toMatch(/directory does not exist|unable to open/i);
  });

  it('opens a file written before attempts had a simulated flag (adds the column, old attempts read false)', async () => {
    const path = join(dir, 'old-attempts.db');
    const Database = (await import('better-sqlite3')).default;
    const old = new Database(path);
    old.exec(`CREATE TABLE attempts (delivery_id TEXT NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL, status_code INTEGER,
      latency_ms INTEGER NOT NULL, response TEXT, error_code TEXT, PRIMARY KEY (delivery_id, n)) WITHOUT ROWID;
      INSERT INTO attempts VALUES ('d1', 1, 0, 200, 5, 'ok', NULL);`);
    old.close();
    const store = createSqliteStore({ path, checkpoint: 'inline' });
    expect(await store.listAttempts('d1')).toEqual([
      {
        deliveryId: 'd1',
        n: 1,
        at: 0,
        statusCode: 200,
        latencyMs: 5,
        response: 'ok',
        errorCode: null,
        simulated: false,
      },
    ]);
    await store.close();
  });

  it('rejects a checkpoint interval below 1 ms', () => {
    expect(() => createSqliteStore({ path: join(dir, 'bad.db'), checkpointIntervalMs: 0 })).toThrow(
      '`checkpointIntervalMs`',
    );
  });
});
