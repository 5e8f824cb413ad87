// The reference server on a private Redis Cluster whose outbox master is SIGKILLed while
// publishes (with Idempotency-Key), rate-limited reads and signed webhooks are served: every
// answer is a success or a 503 (never a 500, never an allow by a failed store, never a hang),
// and the same process serves every route again once the replica is promoted.
import { randomUUID } from 'node:crypto';
import { type RedisCluster, startOwnCluster } from '@bulwark/testing/own-cluster';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

const RESEND_SECRET = generateSecret();

describe('reference server: a Redis Cluster master SIGKILLed under load', () => {
  let own: RedisCluster;
  beforeAll(async () => {
    own = await startOwnCluster({ nodeTimeoutMs: 500 });
  }, 30_000);
  afterAll(() => own?.stop());

  it('answers 2xx or 503 during the failover and serves every route again after the promotion', {
    timeout: 60_000,
  }, async () => {
    const { request, services, clock, lines } = buildTestApp({
      REDIS_URL: `redis://127.0.0.1:${own.nodes[0]?.port}`,
      REDIS_CLUSTER: '1',
      RESEND_WEBHOOK_SECRET: RESEND_SECRET,
      DATA_ENCRYPTION_KEYS: `fleet:${Buffer.alloc(32, 3).toString('base64')}`,
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_PER_MINUTE: '6000000',
      PUBLISH_RATE_PER_SECOND: '100000',
    });
    const signer = createWebhookSigner({ scheme: 'standard', secrets: [RESEND_SECRET] });
    try {
      const created = await request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url: 'https://receiver.example.com/hooks', eventTypes: ['invoice.paid'] }),
      });
      expect(created.status).toBe(201);
      let n = 0;
      /** One round: a publish with an Idempotency-Key, a rate-limited read, a signed webhook. */
      const round = async (): Promise<number[]> => {
        const i = n++;
        const body = JSON.stringify({
          type: 'email.delivered',
          created_at: '2026-11-22T00:00:00.000Z',
          data: { email_id: `em_${randomUUID()}`, to: ['ada@example.com'], created_at: '2026-11-22T00:00:00.000Z' },
        });
        const headers = await signer.sign({
          body,
          id: `msg_${randomUUID()}`,
          timestamp: Math.floor(clock.now() / 1000),
        });
        const responses = await Promise.all([
          request('/events', {
            method: 'POST',
            admin: true,
            headers: { 'idempotency-key': `"k-${i}"` },
            body: JSON.stringify({ type: 'invoice.paid', payload: { i } }),
          }),
          request('/events/none', { admin: true }),
          request('/webhooks/email/resend', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          }),
        ]);
        return responses.map((r) => r.status);
      };
      const statuses: number[][] = [];
      let running = true;
      const load = (async () => {
        while (running) statuses.push(await round());
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const victim = await own.masterFor(`{bulwark:delivery:}:d`);
      await own.kill(victim);
      await own.waitHealthy(20_000);
      // The promoted master has no replica until the old one rejoins: WAIT cannot confirm a
      // publish, so it must be refused (503), never acknowledged and never a 500.
      const orphaned = await round();
      statuses.push(orphaned);
      expect(orphaned[0]).toBe(503);
      // The outbox's new master has no replica yet: publishes wait for the old one to rejoin.
      // (Before: the outbox's WAIT pipeline kept the stale slot map, and every publish got MOVED
      // from the old master, now a replica, for good.)
      await own.restart(victim);
      await expect.poll(async () => (await round()).join(), { timeout: 20_000, interval: 100 }).toBe('202,404,200');
      running = false;
      await load;
      const seen = new Set(statuses.flat());
      console.log(`failover under load: ${statuses.length} rounds, statuses ${[...seen].sort().join(', ')}`);
      // 404: the read of an unknown event. Nothing else but successes and 503s.
      for (const status of seen) expect([200, 202, 404, 503]).toContain(status);
    } finally {
      // On a failure, the server's last log lines say which store refused and why.
      if (process.env.FAILOVER_DEBUG) for (const line of lines.slice(-8)) console.log(JSON.stringify(line));
      for (const closer of services.closers) await closer.close();
    }
  });
});
