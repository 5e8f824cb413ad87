import { randomUUID } from 'node:crypto';
import { createRedisStore } from '@bulwark/delivery/redis';
import { sharedCluster } from '@bulwark/testing/own-cluster';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { redisReady } from '../src/redis-connection.js';
import { buildTestApp } from './helpers.js';

const RESEND_SECRET = generateSecret();
const KEYS = `fleet:${Buffer.alloc(32, 7).toString('base64')}`;

describe('reference server on a Redis Cluster (REDIS_CLUSTER=1)', () => {
  let seed: string;
  let admin: Cluster;
  const prefix = `rs-${randomUUID().slice(0, 8)}:`;

  beforeAll(async () => {
    const nodes = await sharedCluster();
    seed = `redis://${nodes[0]?.host}:${nodes[0]?.port}`;
    admin = new Cluster(nodes);
    admin.on('error', () => {});
  });
  afterAll(async () => {
    for (const node of admin.nodes('master')) {
      for (const key of await node.keys(`*${prefix}*`)) await admin.del(key);
    }
    admin.disconnect();
  });

  it('keeps rate limits, replay protection, storage usage and the outbox in the cluster, from one seed node', async () => {
    const { request, services, clock } = buildTestApp({
      REDIS_URL: seed,
      REDIS_CLUSTER: '1',
      REDIS_KEY_PREFIX: prefix,
      RESEND_WEBHOOK_SECRET: RESEND_SECRET,
      DATA_ENCRYPTION_KEYS: KEYS,
    });
    if (services.redis) await redisReady(services.redis, 10_000);
    const reader = createRedisStore({ connection: admin, prefix: `${prefix}delivery:` });
    try {
      expect(services.redis?.isCluster).toBe(true);
      const created = await request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url: 'https://receiver.example.com/hooks', eventTypes: ['invoice.paid'] }),
      });
      expect(created.status).toBe(201);
      const { endpoint } = (await created.clone().json()) as { endpoint: { id: string } };
      const published = await request('/events', {
        admin: true,
        method: 'POST',
        body: JSON.stringify({ type: 'invoice.paid', payload: { id: `in_${randomUUID()}` } }),
      });
      expect(published.status).toBe(202);
      const { messageId } = (await published.json()) as { messageId: string };
      // The outbox is in the cluster (acknowledged only once a replica had it: WAIT 1).
      expect(await reader.getDelivery(`${messageId}:${endpoint.id}`)).toMatchObject({ messageId, status: 'pending' });
      expect(published.headers.get('ratelimit-policy')).toContain('"per_second"');

      const body = JSON.stringify({
        type: 'email.delivered',
        created_at: '2026-11-22T00:00:00.000Z',
        data: { email_id: `em_${randomUUID()}`, to: ['ada@example.com'], created_at: '2026-11-22T00:00:00.000Z' },
      });
      const signer = createWebhookSigner({ scheme: 'standard', secrets: [RESEND_SECRET] });
      const headers = await signer.sign({ body, id: `msg_${randomUUID()}`, timestamp: Math.floor(clock.now() / 1000) });
      const send = () =>
        request('/webhooks/email/resend', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
      expect((await send()).status).toBe(200);
      expect(await (await send()).json()).toMatchObject({ stored: 0, duplicate: true });

      // Every kind of key landed in the cluster, under the deployment's prefix.
      const keys: string[] = [];
      for (const node of admin.nodes('master')) keys.push(...(await node.keys(`*${prefix}*`)));
      for (const kind of ['rl:', 'publish-rl:', 'email-webhook-replay:', 'usage:', 'delivery:}']) {
        expect(keys.some((key) => key.includes(`${prefix}${kind}`))).toBe(true);
      }
    } finally {
      await reader.close();
      for (const closer of services.closers) await closer.close();
    }
  });

  it('refuses REDIS_CLUSTER without REDIS_URL, naming the variable', () => {
    expect(() => loadConfig({ REDIS_CLUSTER: '1' })).toThrow(/REDIS_CLUSTER: needs REDIS_URL/);
  });
});
