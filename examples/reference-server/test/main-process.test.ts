import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listeningUrl, startServerProcess } from './server-process.js';

const start = startServerProcess;

describe('reference server process', () => {
  it('starts on embedded defaults, prints the admin token, and shuts down cleanly on SIGTERM', {
    timeout: 30_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-main-'));
    try {
      const server = start({ PORT: '0', DATA_DIR: dataDir });
      await expect
        .poll(() => server.output(), { timeout: 20_000, interval: 50 })
        .toContain('bulwark reference server listening');
      const url = listeningUrl(server.output());
      expect(url).toBeDefined();
      expect(server.output()).toMatch(/Admin token \(this run only; set ADMIN_TOKEN to fix one\): adm_/);
      expect((await fetch(`${url}/health/readiness`)).status).toBe(200);
      // WEBHOOK_REAL unset: the operator is told deliveries are simulated.
      expect(server.output()).toContain('"event":"webhook_egress_simulated"');

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutdown started: readiness now fails');
      expect(server.output()).toContain('shutdown complete');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers readiness 503 while still serving during the drain delay, then exits 0 after every hook', {
    timeout: 40_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-main-'));
    try {
      const server = start({ PORT: '0', DATA_DIR: dataDir, SHUTDOWN_DRAIN_MS: '1500' });
      await expect
        .poll(() => server.output(), { timeout: 20_000, interval: 50 })
        .toContain('bulwark reference server listening');
      const url = listeningUrl(server.output()) as string;
      server.child.kill('SIGTERM');
      await expect.poll(() => server.output(), { timeout: 5_000, interval: 20 }).toContain('shutdown started');
      const ready = await fetch(`${url}/health/readiness`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('connection')).toBe('close');
      const live = await fetch(`${url}/health/liveness`);
      expect(live.status).toBe(200);
      expect(await server.exited).toBe(0);
      for (const hook of ['delivery', 'database', 'health']) {
        expect(server.output()).toContain(`"name":"${hook}","outcome":"ok"`);
      }
      expect(server.output()).toContain('shutdown complete');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers every request it accepted when SIGTERM arrives under load; the rest are refused before any effect', {
    timeout: 40_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-main-'));
    const token = `load-${'b'.repeat(30)}`;
    try {
      const server = start({
        PORT: '0',
        DATA_DIR: dataDir,
        ADMIN_TOKEN: token,
        SHUTDOWN_DRAIN_MS: '1000',
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_PER_MINUTE: '6000000',
        PUBLISH_RATE_PER_SECOND: '100000',
      });
      await expect
        .poll(() => server.output(), { timeout: 20_000, interval: 50 })
        .toContain('bulwark reference server listening');
      const url = listeningUrl(server.output()) as string;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${url}/admin/endpoints`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ url: 'https://receiver.example.com/h' }),
      });
      expect(created.status).toBe(201);
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      let refused = 0;
      // Eight publishers on keep-alive connections, back to back, until the listener refuses them.
      const loop = async (): Promise<void> => {
        for (;;) {
          try {
            const response = await fetch(`${url}/events`, {
              method: 'POST',
              headers,
              body: JSON.stringify({ type: 'load.test', payload: { at: Date.now() } }),
            });
            await response.arrayBuffer();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          } catch (error) {
            const code = String((error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).message);
            // Connection-level: refused, or reset by the kernel/listener close before a request
            // reached the app (checked below: such a request left no trace).
            if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
              refused++;
              return;
            }
            failures.push(code);
            return;
          }
        }
      };
      const loops = Array.from({ length: 8 }, loop);
      await expect.poll(() => statuses.get(202) ?? 0, { timeout: 10_000, interval: 20 }).toBeGreaterThan(40);
      server.child.kill('SIGTERM');
      await Promise.all(loops);
      expect(await server.exited).toBe(0);
      expect(failures).toEqual([]);
      expect(refused).toBe(8);
      expect([...statuses.keys()].every((status) => status === 202)).toBe(true);
      // Every publish the server performed was answered: as many stored deliveries as 202s (one
      // endpoint), so no request lost its answer after it had an effect.
      const db = new Database(join(dataDir, 'delivery.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get()).toBe(statuses.get(202));
      } finally {
        db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says in one line that the port is busy instead of a stack trace', { timeout: 30_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-main-'));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const server = start({ PORT: String(port), DATA_DIR: dataDir });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain(`127.0.0.1:${port} is already in use`);
      expect(server.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bad variable, naming it', { timeout: 30_000 }, async () => {
    const server = start({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT');
  });
});
