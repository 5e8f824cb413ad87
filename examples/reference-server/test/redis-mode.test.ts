import { randomUUID } from 'node:crypto';
import { createRedisStore } from '@bulwark/delivery/redis';
import { redisUrl } from '@bulwark/testing';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';
import { listeningUrl, startServerProcess } from './server-process.js';
import { redisBytes } from './stored-bytes.js';

const url = redisUrl();
const RESEND_SECRET = generateSecret();
// https://resend.com/docs/dashboard/webhooks/event-types
const resendDelivered = (emailId: string) => ({
  type: 'email.delivered',
  created_at: '2026-11-22T00:00:00.000Z',
  data: { email_id: emailId, to: ['ada@example.com'], created_at: '2026-11-22T00:00:00.000Z' },
});

describe.skipIf(!url)('reference server with REDIS_URL (a real Redis)', () => {
  const admin = url ? new Redis(url) : undefined;
  afterAll(() => admin?.disconnect());

  it('keeps rate limits, email webhook replay protection and the delivery outbox in Redis', async () => {
    const { request, services, clock } = buildTestApp({
      REDIS_URL: url as string,
      RESEND_WEBHOOK_SECRET: RESEND_SECRET,
      DATA_ENCRYPTION_KEYS: `fleet:${Buffer.alloc(32, 7).toString('base64')}`,
    });
    const reader = createRedisStore({ connection: url as string, prefix: 'bulwark:delivery:' });
    try {
      expect(services.delivery?.store.kind).toBe('redis');

      // Delivery: the published delivery is in Redis, visible to any other process.
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
      expect(await reader.getDelivery(`${messageId}:${endpoint.id}`)).toMatchObject({
        messageId,
        endpointId: endpoint.id,
        status: 'pending',
      });
      const { secret } = (await created.clone().json()) as { secret: string };
      const raw = await reader.getEndpoint(endpoint.id);
      expect(raw).toMatchObject({ url: 'https://receiver.example.com/hooks' });
      // The signing secret is sealed in Redis too: no instance's dump holds it in clear.
      expect(raw?.secrets[0]?.secret).toMatch(/^bwenc1\.fleet\./);
      expect(JSON.stringify(raw)).not.toContain(secret.replace(/^whsec_/, ''));

      // Rate limiting: decided by the Redis store (its keys exist), with the IETF fields.
      expect(published.headers.get('ratelimit-policy')).toContain('"per_second"');
      expect((await admin?.keys('bulwark:rl:*'))?.length).toBeGreaterThan(0);

      // Replay protection: the same signed webhook id is acknowledged as a duplicate and not stored twice.
      const body = JSON.stringify(resendDelivered(`em_${randomUUID()}`));
      const signer = createWebhookSigner({ scheme: 'standard', secrets: [RESEND_SECRET] });
      const headers = await signer.sign({ body, id: `msg_${randomUUID()}`, timestamp: Math.floor(clock.now() / 1000) });
      const send = () =>
        request('/webhooks/email/resend', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
      expect((await send()).status).toBe(200);
      const replayed = await send();
      expect(replayed.status).toBe(200);
      expect(await replayed.json()).toMatchObject({ stored: 0, duplicate: true });
      expect((await admin?.keys('bulwark:email-webhook-replay:*'))?.length).toBeGreaterThan(0);
    } finally {
      await reader.close();
      for (const closer of services.closers) await closer.close();
    }
  });

  it('stores no endpoint secret, API key or admin token in any Redis key or value', async () => {
    const prefix = `bulwark-test:scan:${randomUUID()}:`;
    const { request, services } = buildTestApp({
      REDIS_URL: url as string,
      REDIS_KEY_PREFIX: prefix,
      DATA_ENCRYPTION_KEYS: `fleet:${Buffer.alloc(32, 7).toString('base64')}`,
    });
    const redis = admin as Redis;
    try {
      const created = await request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url: 'https://receiver.example.com/hooks', eventTypes: ['invoice.paid'] }),
      });
      const { endpoint, secret } = (await created.json()) as { endpoint: { id: string }; secret: string };
      const rotated = (await (
        await request(`/admin/webhooks/${endpoint.id}/rotate-secret`, { method: 'POST', admin: true })
      ).json()) as { secret: string };
      const keyResponse = await request('/admin/api-keys', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ name: 'publisher', scopes: ['events:publish'] }),
      });
      const { key } = (await keyResponse.json()) as { key: string };
      // Publishing with the key (and an Idempotency-Key) writes rate limits, usage, event ids and
      // the stored response to Redis too.
      const published = await request('/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'idempotency-key': `"${randomUUID()}"` },
        body: JSON.stringify({ type: 'invoice.paid', id: `evt_${randomUUID()}`, payload: { n: 1 } }),
      });
      expect(published.status, await published.clone().text()).toBe(202);

      const secrets = [secret, rotated.secret, key, ADMIN_TOKEN].flatMap((value) => [
        Buffer.from(value),
        Buffer.from(value.replace(/^whsec_/, '')),
      ]);
      // The signing keys' raw bytes, too.
      for (const value of [secret, rotated.secret]) secrets.push(Buffer.from(value.replace(/^whsec_/, ''), 'base64'));
      // The delivery store's keys are `{<prefix>delivery:}:…` (one Cluster slot per store).
      expect((await redis.keys(`*${prefix}*`)).length).toBeGreaterThan(5);
      const all = await redisBytes(redis, prefix);
      // The scan reaches where the secrets live: sealed, under the key id.
      expect(all.includes(Buffer.from('bwenc1.fleet.'))).toBe(true);
      for (const value of secrets) expect(all.includes(value), 'a secret was found in Redis').toBe(false);
    } finally {
      for (const closer of services.closers) await closer.close();
      const keys = await redis.keys(`*${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });

  it("refuses to start without shared DATA_ENCRYPTION_KEYS (instances could not open each other's secrets)", () => {
    expect(() => buildTestApp({ REDIS_URL: url as string })).toThrow(/REDIS_URL needs DATA_ENCRYPTION_KEYS/);
  });

  it('answers readiness 200 as soon as it listens (the first check waits for the Redis connection)', {
    timeout: 40_000,
  }, async () => {
    const server = startServerProcess({
      PORT: '0',
      DATA_DIR: ':memory:',
      REDIS_URL: url as string,
      DATA_ENCRYPTION_KEYS: `fleet:${Buffer.alloc(32, 7).toString('base64')}`,
      SHUTDOWN_DRAIN_MS: '0',
    });
    try {
      await expect
        .poll(server.output, { timeout: 30_000, interval: 50 })
        .toContain('bulwark reference server listening');
      expect((await fetch(`${listeningUrl(server.output())}/health/readiness`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
