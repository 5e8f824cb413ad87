import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../src/data-dir-lock.js';
import { buildTestApp } from './helpers.js';
import { startServerProcess } from './server-process.js';

const listening = 'bulwark reference server listening';

describe('one server process per DATA_DIR', () => {
  it('refuses a second holder at once and lets the next one in after release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-lock-'));
    try {
      const first = lockDataDir(dir);
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      first.release();
      first.release();
      lockDataDir(dir).release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an app on a DATA_DIR holds it until its closers ran; a failed start releases it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-lock-'));
    try {
      const first = buildTestApp({ DATA_DIR: dir });
      expect(() => buildTestApp({ DATA_DIR: dir })).toThrow(DataDirInUseError);
      for (const closer of first.services.closers) await closer.close();
      // Production without DATA_ENCRYPTION_KEYS fails after the lock was taken: it must not keep it.
      expect(() => buildTestApp({ DATA_DIR: dir, BULWARK_ENV: 'production' })).toThrow(/DATA_ENCRYPTION_KEYS/);
      const second = buildTestApp({ DATA_DIR: dir });
      for (const closer of second.services.closers) await closer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second server process on the same DATA_DIR exits 1 in one line; after a SIGKILL of the first, the next one starts', {
    timeout: 60_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-lock-'));
    const started: Array<ReturnType<typeof startServerProcess>> = [];
    const start = () => {
      const server = startServerProcess({ PORT: '0', DATA_DIR: dataDir });
      started.push(server);
      return server;
    };
    try {
      const first = start();
      await expect.poll(() => first.output(), { timeout: 20_000, interval: 50 }).toContain(listening);

      const second = start();
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('is in use by another server process');
      expect(second.output()).not.toMatch(/\n\s+at /);

      first.child.kill('SIGKILL');
      await first.exited;
      const third = start();
      await expect.poll(() => third.output(), { timeout: 20_000, interval: 50 }).toContain(listening);
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
    } finally {
      // A failed assertion must not leave a server running.
      for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
