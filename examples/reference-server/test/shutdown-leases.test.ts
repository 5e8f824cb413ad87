// A SIGTERM whose deadline is shorter than the in-flight webhook attempts: the server still exits
// 0, the attempts are aborted and their leases handed back, and after a restart every event is
// delivered at once — duplicates bounded by what was in flight, nothing lost. Embedded (SQLite)
// and fleet (Redis) mode.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisUrl } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { listeningUrl, startServerProcess } from './server-process.js';

const ADMIN = `lease-test-${'a'.repeat(30)}`;
type ServerProcess = ReturnType<typeof startServerProcess>;

async function listening(server: ServerProcess): Promise<string> {
  await expect.poll(server.output, { timeout: 30_000, interval: 50 }).toContain('bulwark reference server listening');
  return listeningUrl(server.output()) as string;
}

/**
 * Fleet mode on the test command's Redis, under a key prefix of its own: on a shared Redis (other
 * suites, earlier runs) another process of the same prefix would claim the handed-back leases,
 * and event ids or endpoints left from an earlier run would answer for this one.
 */
function redisMode(): { env: Record<string, string>; cleanup(): Promise<void> } {
  const url = redisUrl();
  if (!url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
  const prefix = `bulwark-test:${randomUUID()}:`;
  return {
    env: {
      REDIS_URL: url,
      REDIS_KEY_PREFIX: prefix,
      DATA_ENCRYPTION_KEYS: `leases:${Buffer.alloc(32, 9).toString('base64')}`,
    },
    async cleanup() {
      const redis = new Redis(url);
      try {
        const keys: string[] = [];
        for await (const page of redis.scanStream({ match: `*${prefix}*`, count: 500 })) keys.push(...page);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

const modes = [
  { mode: 'embedded (SQLite)', setup: () => ({ env: {}, cleanup: async () => {} }) },
  { mode: 'fleet (Redis)', setup: redisMode },
];

describe('reference server: shutdown with attempts in flight', () => {
  it.each(modes)(
    '$mode: hands leases back when the deadline is shorter than in-flight work; after a restart each event is delivered',
    {
      timeout: 90_000,
    },
    async ({ setup }) => {
      let hang = true;
      const hanging: ServerResponse[] = [];
      const seen = new Map<string, number>();
      const delivered = new Set<string>();
      const receiver = createServer((req, res) => {
        const id = String(req.headers['webhook-id']);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        req.resume();
        if (hang) {
          hanging.push(res);
          return;
        }
        delivered.add(id);
        res.writeHead(204).end();
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-leases-'));
      const store = setup();
      const env = {
        PORT: '0',
        DATA_DIR: dataDir,
        ADMIN_TOKEN: ADMIN,
        WEBHOOK_REAL: '1',
        WEBHOOK_ALLOW_HTTP: '1',
        WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
        DELIVERY_POLL_INTERVAL_MS: '50',
        SHUTDOWN_DRAIN_MS: '0',
        SHUTDOWN_DEADLINE_MS: '3000',
        // Leases far longer than the test may run: a delivery whose lease was not handed back at
        // the shutdown cannot be claimed again within it (no wall-clock assertion needed).
        DELIVERY_LEASE_MS: '600000',
        ...store.env,
      };
      const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
      const started: ServerProcess[] = [];
      const start = (): ServerProcess => {
        const server = startServerProcess(env);
        started.push(server);
        return server;
      };
      try {
        const first = start();
        const base = await listening(first);
        const endpoint = await fetch(`${base}/admin/endpoints`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ url: receiverUrl, eventTypes: ['order.created'], timeoutMs: 30_000 }),
        });
        expect(endpoint.status).toBe(201);
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const published = await fetch(`${base}/events`, {
            method: 'POST',
            headers: admin,
            body: JSON.stringify({ type: 'order.created', id: `ord_${i}`, payload: { i } }),
          });
          expect(published.status, await published.clone().text()).toBe(202);
          ids.push(((await published.json()) as { messageId: string }).messageId);
        }
        await expect.poll(() => hanging.length, { timeout: 20_000, interval: 50 }).toBe(3);

        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        expect(first.output()).toContain('shutdown complete');

        hang = false;
        for (const res of hanging) res.destroy();
        const second = start();
        const again = await listening(second);
        // Had the 10-minute leases not been handed back, the new process would wait for them to
        // expire; handed back, its polls claim them and every event is delivered.
        await expect.poll(() => ids.every((id) => delivered.has(id)), { timeout: 20_000, interval: 50 }).toBe(true);
        // One send per in-flight attempt at the shutdown, one after the restart: nothing more.
        for (const id of ids) expect(seen.get(id)).toBe(2);
        const status = await fetch(`${again}/events/${ids[0]}`, { headers: admin });
        expect(((await status.json()) as { deliveries: Array<{ status: string }> }).deliveries[0]?.status).toBe(
          'succeeded',
        );
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      } finally {
        // A failed assertion must not leave a server polling the shared store (it would claim the
        // next run's deliveries).
        for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
        await Promise.all(started.map((server) => server.exited));
        receiver.close();
        rmSync(dataDir, { recursive: true, force: true });
        await store.cleanup();
      }
    },
  );
});
