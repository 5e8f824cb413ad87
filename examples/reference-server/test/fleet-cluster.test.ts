// Two reference-server processes sharing one Redis Cluster (the test command's): rate limits are
// one budget, a webhook replayed to the other instance is a duplicate, an event published on one
// is delivered once, and a delivery held by an instance that is SIGKILLed is taken over by the
// other once its lease (DELIVERY_LEASE_MS) runs out.
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sharedCluster } from '@bulwark/testing/own-cluster';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { listeningUrl, startServerProcess } from './server-process.js';

const ADMIN = `fleet-test-${'c'.repeat(30)}`;
const RESEND_SECRET = generateSecret();
const PER_MINUTE = 30;
type ServerProcess = ReturnType<typeof startServerProcess>;

async function listening(server: ServerProcess): Promise<string> {
  await expect.poll(server.output, { timeout: 30_000, interval: 50 }).toContain('bulwark reference server listening');
  return listeningUrl(server.output()) as string;
}

describe('two reference servers sharing a Redis Cluster', () => {
  it('share one rate limit, refuse a replay on the other instance, deliver once, and take over a SIGKILLed claim', {
    timeout: 90_000,
  }, async () => {
    const seen = new Map<string, number>();
    const held: ServerResponse[] = [];
    let hold = false;
    let heldClosed = 0;
    const receiver = createServer((req, res) => {
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      req.resume();
      if (hold) {
        held.push(res);
        // Closed by the peer only when the instance that sent it dies (its timeout is 30 s).
        res.socket?.once('close', () => heldClosed++);
      } else req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const nodes = await sharedCluster();
    const prefix = `fleet-${randomUUID().slice(0, 8)}:`;
    const env = {
      PORT: '0',
      DATA_DIR: ':memory:',
      ADMIN_TOKEN: ADMIN,
      REDIS_URL: `redis://${nodes[0]?.host}:${nodes[0]?.port}`,
      REDIS_CLUSTER: '1',
      REDIS_KEY_PREFIX: prefix,
      DATA_ENCRYPTION_KEYS: `fleet:${Buffer.alloc(32, 5).toString('base64')}`,
      RESEND_WEBHOOK_SECRET: RESEND_SECRET,
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      // What is tested is one shared budget, not the decision deadline (100 ms by default, which a
      // loaded machine can miss: the decision then fails closed with a 503, as it should).
      RATE_LIMIT_DEADLINE_MS: '5000',
      WEBHOOK_REAL: '1',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
      DELIVERY_POLL_INTERVAL_MS: '50',
      DELIVERY_LEASE_MS: '1500',
      SHUTDOWN_DRAIN_MS: '0',
    };
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const started = [startServerProcess(env), startServerProcess(env)];
    const [a, b] = started as [ServerProcess, ServerProcess];
    try {
      const [urlA, urlB] = await Promise.all([listening(a), listening(b)]);
      const created = await fetch(`${urlA}/admin/endpoints`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ url: receiverUrl, eventTypes: ['order.created'], timeoutMs: 30_000 }),
      });
      expect(created.status).toBe(201);
      const publish = (base: string, id: string) =>
        fetch(`${base}/events`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ type: 'order.created', id, payload: { id } }),
        });

      // Published on A, delivered once (both instances run workers on the shared outbox).
      expect((await publish(urlA, 'ord_once')).status).toBe(202);
      await expect.poll(() => seen.get('ord_once') ?? 0, { timeout: 15_000, interval: 50 }).toBe(1);

      // A webhook accepted by A is a duplicate on B (one replay store).
      const body = JSON.stringify({
        type: 'email.delivered',
        created_at: new Date().toISOString(),
        data: { email_id: `em_${randomUUID()}`, to: ['ada@example.com'], created_at: new Date().toISOString() },
      });
      const signer = createWebhookSigner({ scheme: 'standard', secrets: [RESEND_SECRET] });
      const headers = await signer.sign({ body, id: `msg_${randomUUID()}`, timestamp: Math.floor(Date.now() / 1000) });
      const send = (base: string) =>
        fetch(`${base}/webhooks/email/resend`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
      expect(await (await send(urlA)).json()).toMatchObject({ stored: 1 });
      expect(await (await send(urlB)).json()).toMatchObject({ stored: 0, duplicate: true });

      // One rate limit for the fleet: a burst spread over both instances is allowed what was
      // left of the per-minute budget (plus what refills meanwhile: 1 per 2 s), not twice that.
      const probe = await fetch(`${urlA}/events/ord_once`, { headers: admin });
      const remaining = Number(/"per_minute";r=(\d+)/.exec(probe.headers.get('ratelimit') ?? '')?.[1]);
      expect(remaining).toBeGreaterThan(10);
      const burstStarted = Date.now();
      const statuses = await Promise.all(
        Array.from({ length: remaining + 10 }, (_, i) =>
          fetch(`${i % 2 === 0 ? urlA : urlB}/events/ord_once`, { headers: admin }).then((r) => r.status),
        ),
      );
      const refilled = Math.floor((Date.now() - burstStarted) / 2_000) + 1;
      const allowed = statuses.filter((status) => status === 200).length;
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      expect(allowed).toBeGreaterThanOrEqual(remaining);
      expect(allowed).toBeLessThanOrEqual(remaining + refilled);

      // A delivery held by the instance that published it (its worker leases a publish's
      // deliveries in the same write), which is then SIGKILLed: the other instance takes it over
      // once the lease (1.5 s) runs out. Publishing again after a 429 is idempotent.
      hold = true;
      await expect
        .poll(async () => (await publish(urlA, 'ord_orphan')).status, { timeout: 10_000, interval: 500 })
        .toBe(202);
      await expect.poll(() => held.length, { timeout: 15_000, interval: 50 }).toBe(1);
      hold = false;
      expect(heldClosed).toBe(0);
      a.child.kill('SIGKILL');
      await a.exited;
      const killedAt = Date.now();
      // The held attempt's connection dies with A: A held the claim (were it B's, its attempt
      // would still be waiting for the answer, and a retry by B would prove no takeover).
      await expect.poll(() => heldClosed, { timeout: 10_000, interval: 50 }).toBe(1);
      await expect.poll(() => seen.get('ord_orphan') ?? 0, { timeout: 15_000, interval: 50 }).toBe(2);
      expect(held).toHaveLength(1);
      expect(b.child.exitCode).toBeNull();
      // Still delivered exactly once, after both workers polled the shared outbox all along.
      expect(seen.get('ord_once')).toBe(1);
      console.log(
        `fleet: burst of ${statuses.length} over two instances, ${allowed} allowed with ${remaining} left; orphan delivered again within ${Date.now() - killedAt} ms of the SIGKILL`,
      );
    } finally {
      for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await Promise.all(started.map((server) => server.exited));
      for (const res of held) res.destroy();
      receiver.closeAllConnections();
      receiver.close();
      const cluster = new Cluster(nodes);
      for (const node of cluster.nodes('master'))
        for (const key of await node.keys(`*${prefix}*`)) await cluster.del(key);
      cluster.disconnect();
    }
  });
});
