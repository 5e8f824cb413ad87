import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

const apps: Array<ReturnType<typeof buildTestApp>> = [];
function app(env: Record<string, string> = {}) {
  const built = buildTestApp(env);
  apps.push(built);
  return built;
}
afterEach(async () => {
  for (const built of apps.splice(0)) for (const closer of built.services.closers) await closer.close();
});

async function createEndpoint(request: ReturnType<typeof buildTestApp>['request'], body: Record<string, unknown> = {}) {
  const response = await request('/admin/endpoints', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ url: 'https://receiver.example.com/hooks', eventTypes: ['invoice.paid'], ...body }),
  });
  expect(response.status).toBe(201);
  return response.json() as Promise<{ endpoint: { id: string }; secret: string }>;
}

describe('reference server: webhook delivery (simulated egress)', () => {
  it('publishes to matching endpoints, delivers, and shows the attempt history', async () => {
    const { request, services } = app();
    const { endpoint, secret } = await createEndpoint(request);
    expect(secret).toMatch(/^whsec_/);

    const published = await request('/events', {
      admin: true,
      method: 'POST',
      body: JSON.stringify({ type: 'invoice.paid', payload: { id: 'in_1' } }),
    });
    expect(published.status).toBe(202);
    const { messageId, deliveryIds } = await published.json();
    expect(deliveryIds).toHaveLength(1);
    const ignored = await request('/events', {
      admin: true,
      method: 'POST',
      body: JSON.stringify({ type: 'user.created', payload: {} }),
    });
    expect((await ignored.json()).deliveryIds).toHaveLength(0);

    services.delivery?.dispatcher.start();
    await services.delivery?.dispatcher.idle();

    const history = await (await request(`/admin/deliveries/${messageId}`, { admin: true })).json();
    expect(history.deliveries).toEqual([
      expect.objectContaining({ endpointId: endpoint.id, status: 'succeeded', attempts: 1 }),
    ]);
    const status = await (await request(`/events/${messageId}`, { admin: true })).json();
    expect(status.deliveries).toEqual([{ endpointId: endpoint.id, status: 'succeeded', attempts: 1, simulated: true }]);
    expect(history.deliveries[0].history).toEqual([expect.objectContaining({ statusCode: 200, simulated: true })]);
    expect(await (await request('/metrics', { admin: true })).text()).toContain(
      'bulwark_events_total{name="webhook.sent.simulated",simulated="true"} 1',
    );
  });

  it('rejects invalid events and endpoints with validation problems', async () => {
    const { request } = app();
    expect((await request('/events', { admin: true, method: 'POST', body: 'not json' })).status).toBe(422);
    const badEvent = await request('/events', {
      admin: true,
      method: 'POST',
      body: JSON.stringify({ type: '', payload: 1 }),
    });
    expect(badEvent.status).toBe(422);
    const badEndpoint = await request('/admin/endpoints', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ url: 'ftp://x' }),
    });
    expect(badEndpoint.status).toBe(422);
  });

  it('rotates an endpoint secret (shown once) and audits every admin mutation', async () => {
    const { request } = app();
    const { endpoint, secret } = await createEndpoint(request);
    const rotated = await request(`/admin/webhooks/${endpoint.id}/rotate-secret`, { method: 'POST', admin: true });
    expect(rotated.status).toBe(201);
    const body = await rotated.json();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(secret);
    expect(body.endpoint.secretCount).toBe(2);

    const patched = await request(`/admin/endpoints/${endpoint.id}`, {
      method: 'PATCH',
      admin: true,
      body: JSON.stringify({ enabled: false }),
    });
    expect((await patched.json()).enabled).toBe(false);
    const audit = await (await request('/admin/audit', { admin: true })).json();
    expect(audit.records.map((r: { action: string }) => r.action)).toEqual([
      'endpoint.update',
      'endpoint.rotate_secret',
      'endpoint.create',
    ]);
    expect(JSON.stringify(audit)).not.toContain('whsec_');
    expect((await request(`/admin/endpoints/${endpoint.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect((await request(`/admin/endpoints/${endpoint.id}`, { admin: true })).status).toBe(404);
  });

  it('dead-letters after the last attempt against a failing local receiver, then requeues from the DLQ', async () => {
    let healthy = false;
    const receiver = createServer((_req, res) => {
      res.statusCode = healthy ? 204 : 500;
      res.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const { request, services } = app({
        WEBHOOK_REAL: '1',
        WEBHOOK_ALLOW_HTTP: '1',
        WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
        DELIVERY_RETRY_SCHEDULE_MS: '0',
        DELIVERY_POLL_INTERVAL_MS: '10',
      });
      const { endpoint } = await createEndpoint(request, { url: `http://127.0.0.1:${port}/hooks` });
      const { messageId } = await (
        await request('/events', {
          admin: true,
          method: 'POST',
          body: JSON.stringify({ type: 'invoice.paid', payload: { id: 'in_2' } }),
        })
      ).json();
      services.delivery?.dispatcher.start();
      await services.delivery?.dispatcher.idle();

      const dlq = await (await request('/admin/dlq', { admin: true })).json();
      expect(dlq.stats).toMatchObject({ dead: 1, pending: 0 });
      expect(dlq.items).toEqual([
        expect.objectContaining({ messageId, endpointId: endpoint.id, attempts: 2, lastError: 'http_500' }),
      ]);
      const history = await (await request(`/admin/deliveries/${messageId}`, { admin: true })).json();
      expect(history.deliveries[0].history.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500]);

      healthy = true;
      const requeued = await request('/admin/dlq/requeue', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ messageIds: [messageId] }),
      });
      expect((await requeued.json()).requeued).toBe(1);
      await services.delivery?.dispatcher.idle();
      const after = await (await request(`/events/${messageId}`, { admin: true })).json();
      // A requeue starts a fresh attempt budget; the history keeps every attempt.
      expect(after.deliveries).toEqual([
        { endpointId: endpoint.id, status: 'succeeded', attempts: 1, simulated: false },
      ]);
      const full = await (await request(`/admin/deliveries/${messageId}`, { admin: true })).json();
      expect(full.deliveries[0].history.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 204]);
      expect(
        (await request('/admin/dlq/requeue', { method: 'POST', admin: true, body: JSON.stringify({ bogus: 1 }) }))
          .status,
      ).toBe(422);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
