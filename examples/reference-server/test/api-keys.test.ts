// API key verification with its row cache: every call still checks the secret, a revocation
// through the same process is immediate, and one written by another connection is seen within
// the cache's lifetime (1 s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@bulwark/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiKeys } from '../src/auth/api-keys.js';
import { openServerDatabase } from '../src/database.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open() {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-api-keys-'));
  dirs.push(dir);
  const database = openServerDatabase(dir);
  closers.push(() => database.close());
  const clock = new FakeClock(Date.UTC(2026, 11, 7));
  return { dir, clock, keys: createApiKeys(database.db, clock) };
}

describe('API key verification', () => {
  it('checks the secret on every call, cached row or not', async () => {
    const { keys } = open();
    const { id, key } = await keys.create('publisher', ['events:publish']);
    expect(await keys.verify(key)).toMatchObject({ id, scopes: ['events:publish'] });
    const forged = `${key.slice(0, -4)}AAAA`;
    expect(await keys.verify(forged)).toBeUndefined(); // the row is cached now; the secret still decides
    expect((await keys.verify(key))?.id).toBe(id);
    expect(Object.isFrozen((await keys.verify(key))?.scopes)).toBe(true);
  });

  it('refuses a key revoked through this process at once', async () => {
    const { keys } = open();
    const { id, key } = await keys.create('publisher', ['events:publish']);
    expect((await keys.verify(key))?.id).toBe(id);
    expect(await keys.revoke(id)).toBe(true);
    expect(await keys.verify(key)).toBeUndefined();
  });

  it('sees a revocation written by another connection within 1 s', async () => {
    const { dir, clock, keys } = open();
    const { id, key } = await keys.create('publisher', ['events:publish']);
    expect((await keys.verify(key))?.id).toBe(id);
    const other = new Database(join(dir, 'server.db'));
    other.prepare("UPDATE api_keys SET revoked_at = '2026-12-07T00:00:00.000Z' WHERE id = ?").run(id);
    other.close();
    clock.advance(1_000);
    expect(await keys.verify(key)).toBeUndefined();
  });

  it('keeps at most 1,000 rows and still verifies keys whose row was evicted', async () => {
    const { keys } = open();
    const created = await Promise.all(Array.from({ length: 1_005 }, (_, i) => keys.create(`k${i}`, ['events:read'])));
    for (const { key } of created) expect(await keys.verify(key)).toBeDefined();
    expect((await keys.verify((created[0] as { key: string }).key))?.id).toBe((created[0] as { id: string }).id);
  });
});
