import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisUrl } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdempotency, type IdempotencyEvent, type IdempotencyStore } from '../src/index.js';
import { createRedisStore } from '../src/redis.js';
import { createSqliteStore } from '../src/sqlite.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const T0 = 1_700_000_000_000;
const LOCK_TTL = 30_000;

/** Starts a real child that claims `crash-key` at time T0, waits until it holds the lock, SIGKILLs it. */
async function claimAndKill(args: readonly string[]): Promise<void> {
  // spawn (no IPC channel): with one, tsx treats the parent as its CLI and relays signals.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(packageDir, 'test/fixtures/claim-and-hang.ts'), ...args],
    {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('claimed')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

/** After the kill: the lock holds until it expires (fake time), then the retry runs once and is replayed. */
async function retryAfterLockExpiry(store: IdempotencyStore): Promise<void> {
  let now = T0 + 1_000;
  const events: IdempotencyEvent[] = [];
  const idempotency = createIdempotency({
    store,
    lockTtlMs: LOCK_TTL,
    clock: { now: () => now },
    onEvent: (e) => events.push(e),
  });
  let runs = 0;
  const op = () => {
    runs++;
    return 'done';
  };
  await expect(idempotency.run('crash-key', op, { fingerprint: 'fp' })).rejects.toMatchObject({
    code: 'idempotency_request_in_progress',
  });
  now = T0 + LOCK_TTL - 1;
  await expect(idempotency.run('crash-key', op, { fingerprint: 'fp' })).rejects.toMatchObject({
    code: 'idempotency_request_in_progress',
  });
  now = T0 + LOCK_TTL;
  expect(await idempotency.run('crash-key', op, { fingerprint: 'fp' })).toEqual({ value: 'done', replayed: false });
  expect(events.find((e) => e.type === 'acquired')?.recovered).toBe(true);
  expect(await idempotency.run('crash-key', op, { fingerprint: 'fp' })).toEqual({ value: 'done', replayed: true });
  expect(runs).toBe(1);
}

describe('a process SIGKILLed mid-request leaves a lock that expires; the retry proceeds', () => {
  it('SQLite', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idem-crash-'));
    const file = join(dir, 'idempotency.db');
    try {
      await claimAndKill(['sqlite', file, String(T0)]);
      const store = createSqliteStore({ path: file });
      await retryAfterLockExpiry(store);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const url = redisUrl();
  if (!url) throw new Error('REDIS_URL is required for the Redis crash test');
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  afterAll(() => client.disconnect());

  it('Redis', { timeout: 60_000 }, async () => {
    const prefix = `idem-crash-${process.pid}-${Date.now()}:`;
    await claimAndKill(['redis', url, String(T0), prefix]);
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    await retryAfterLockExpiry(createRedisStore({ client, prefix }));
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
  });
});
