import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

describe('dashboard admin API', () => {
  let receiver: Server;
  let built: ReturnType<typeof buildTestApp>;
  beforeAll(async () => {
    receiver = createServer((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    built = buildTestApp({
      WEBHOOK_REAL: '1',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
      DELIVERY_RETRY_SCHEDULE_MS: '0',
      DELIVERY_POLL_INTERVAL_MS: '10',
    });
  });
  afterAll(async () => {
    for (const closer of built.services.closers) await closer.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('lists endpoints with breaker, last failure and rotation state, and dead deliveries with their age', async () => {
    const { request, services, clock } = built;
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const created = await (
      await request('/admin/endpoints', { method: 'POST', admin: true, body: JSON.stringify({ url }) })
    ).json();
    const id = created.endpoint.id as string;
    await request('/events', { admin: true, method: 'POST', body: JSON.stringify({ type: 'a.b', payload: {} }) });
    services.delivery?.dispatcher.start();
    await services.delivery?.dispatcher.idle();
    await request(`/admin/webhooks/${id}/rotate-secret`, { method: 'POST', admin: true });
    clock.advance(90_000);

    const { endpoints } = await (await request('/admin/dashboard/endpoints', { admin: true })).json();
    expect(endpoints).toEqual([
      expect.objectContaining({
        id,
        url,
        enabled: true,
        breaker: 'closed',
        lastSuccessAt: null,
        lastError: 'http_500',
        rotation: { state: 'overlap', previousExpiresAt: expect.any(Number) },
      }),
    ]);
    expect(JSON.stringify(endpoints)).not.toContain('whsec_');

    const dlq = await (await request('/admin/dashboard/dlq?limit=10', { admin: true })).json();
    expect(dlq.size).toBe(1);
    expect(dlq.items).toEqual([
      expect.objectContaining({ endpointId: id, endpointUrl: url, attempts: 2, lastError: 'http_500', ageMs: 90_000 }),
    ]);
    expect((await request('/admin/dashboard/dlq?limit=0', { admin: true })).status).toBe(422);
    expect((await request('/admin/dashboard/endpoints')).status).toBe(401);
  });

  it('searches suppressions (LIKE wildcards are literal) and removes one, audited without the address', async () => {
    const { request, services } = built;
    const at = new Date(Date.UTC(2026, 10, 1));
    services.email?.store.addSuppressions(
      ['ann@acme.test', 'bob@acme.test', 'a_b@other.test'].map((email) => ({
        email,
        reason: 'hard_bounce' as const,
        provider: 'resend',
        providerMessageId: undefined,
        occurredAt: at,
      })),
      at,
    );
    const all = await (await request('/admin/email/suppressions', { admin: true })).json();
    expect(all.total).toBe(3);
    const acme = await (await request('/admin/email/suppressions?q=ACME', { admin: true })).json();
    expect(acme.items.map((s: { email: string }) => s.email).sort()).toEqual(['ann@acme.test', 'bob@acme.test']);
    const literal = await (await request('/admin/email/suppressions?q=_', { admin: true })).json();
    expect(literal.items.map((s: { email: string }) => s.email)).toEqual(['a_b@other.test']);

    const removed = await request('/admin/email/suppressions/Ann%40acme.test', { method: 'DELETE', admin: true });
    expect(removed.status).toBe(204);
    expect(services.email?.store.suppressed(['ann@acme.test'])).toEqual([]);
    expect((await request('/admin/email/suppressions/ann@acme.test', { method: 'DELETE', admin: true })).status).toBe(
      404,
    );
    expect((await request('/admin/email/suppressions/nobody', { method: 'DELETE', admin: true })).status).toBe(422);
    const [record] = services.audit.list(1);
    expect(record).toMatchObject({
      action: 'suppression.remove',
      target: expect.stringMatching(/^a\*\*\*@acme\.test#[0-9a-f]{12}$/),
    });
    expect(JSON.stringify(services.audit.list(100))).not.toContain('ann@');
  });
});
