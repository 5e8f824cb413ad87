import { randomUUID } from 'node:crypto';
import { createRedisStore } from '@bulwark/delivery/redis';
import { redisUrl } from '@bulwark/testing';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

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
      const { endpoint } = (await created.json()) as { endpoint: { id: string } };
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
      expect(await reader.getEndpoint(endpoint.id)).toMatchObject({ url: 'https://receiver.example.com/hooks' });

      // Rate limiting: decided by the Redis store (its keys exist), with the IETF fields.
      expect(published.headers.get('ratelimit-policy')).toContain('"per_second"');
      expect((await admin?.keys('bulwark:rl:*'))?.length).toBeGreaterThan(0);

      // Replay protection: the same signed webhook id is refused the second time.
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
      expect(replayed.status).toBe(401);
      expect(await replayed.json()).toMatchObject({ code: 'email_webhook_signature_invalid' });
      expect((await admin?.keys('bulwark:email-webhook-replay:*'))?.length).toBeGreaterThan(0);
    } finally {
      await reader.close();
      for (const closer of services.closers) await closer.close();
    }
  });
});
