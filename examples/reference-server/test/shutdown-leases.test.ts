// A SIGTERM whose deadline is shorter than the in-flight webhook attempts: the server still exits
// 0, the attempts are aborted and their leases handed back, and after a restart every event is
// delivered at once — duplicates bounded by what was in flight, nothing lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listeningUrl, startServerProcess } from './server-process.js';

const ADMIN = `lease-test-${'a'.repeat(30)}`;
const start = startServerProcess;

async function listening(server: ReturnType<typeof start>): Promise<string> {
  await expect.poll(server.output, { timeout: 30_000, interval: 50 }).toContain('bulwark reference server listening');
  return listeningUrl(server.output()) as string;
}

describe('reference server: shutdown with attempts in flight', () => {
  it('hands leases back when the deadline is shorter than in-flight work; after a restart each event is delivered', {
    timeout: 90_000,
  }, async () => {
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
    };
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    try {
      const first = start(env);
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
        expect(published.status).toBe(202);
        ids.push(((await published.json()) as { messageId: string }).messageId);
      }
      await expect.poll(() => hanging.length, { timeout: 20_000, interval: 50 }).toBe(3);

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('shutdown complete');

      hang = false;
      for (const res of hanging) res.destroy();
      const second = start(env);
      const again = await listening(second);
      const restartedAt = Date.now();
      await expect.poll(() => ids.every((id) => delivered.has(id)), { timeout: 20_000, interval: 50 }).toBe(true);
      // The 15 s leases were renewed until the shutdown; had they not been handed back, the new
      // process would wait for them to expire. Handed back, the first poll claims them.
      expect(Date.now() - restartedAt).toBeLessThan(5_000);
      for (const id of ids) expect(seen.get(id)).toBeLessThanOrEqual(2);
      const status = await fetch(`${again}/events/${ids[0]}`, { headers: admin });
      expect(((await status.json()) as { deliveries: Array<{ status: string }> }).deliveries[0]?.status).toBe(
        'succeeded',
      );
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
