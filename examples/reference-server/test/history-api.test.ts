import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';

const apps: Array<ReturnType<typeof buildTestApp>> = [];
function app(env: Record<string, string> = {}) {
  const built = buildTestApp(env);
  apps.push(built);
  return built;
}
afterEach(async () => {
  for (const built of apps.splice(0)) for (const closer of built.services.closers) await closer.close();
});

describe('GET /admin/history', () => {
  it('shows publishes, deliveries, errors and route latency from the server events', async () => {
    const { request, services, clock } = app();
    await request('/admin/endpoints', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ url: 'https://receiver.example.com/hooks', eventTypes: ['invoice.paid'] }),
    });
    for (let i = 0; i < 3; i++) {
      const published = await request('/events', {
        admin: true,
        method: 'POST',
        body: JSON.stringify({ type: 'invoice.paid', payload: { i } }),
      });
      expect(published.status).toBe(202);
    }
    await request('/events/nope', { admin: true });
    services.delivery?.dispatcher.start();
    await services.delivery?.dispatcher.idle();
    clock.advance(1_000);

    const response = await request('/admin/history?window=1h', { admin: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^"h-1h-\d+-\d+"$/);
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    const body = await response.json();
    expect(body.timestamps).toHaveLength(360);
    expect(body.totals).toMatchObject({ publishes: 3, succeeded: 3, errors: 1 });
    expect(body.errors).toEqual([expect.objectContaining({ code: 'not_found', total: 1 })]);
    expect(body.latency.map((r: { route: string }) => r.route).sort()).toEqual(['GET /events/:id', 'POST /events']);
    expect(body.latency[0].threshold).toMatchObject({ status: 'insufficient_data' });
    expect(body.dlqDepth.at(-1)).toBe(0);
  });

  it('answers 304 to a matching If-None-Match, and 200 with a new ETag once something happens', async () => {
    const { request } = app();
    const first = await request('/admin/history', { admin: true });
    const etag = first.headers.get('etag') as string;
    const again = await request('/admin/history', { admin: true, headers: { 'if-none-match': `W/${etag}, "x"` } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    // Polling the dashboard's admin API does not move the history; a public error does.
    await request('/admin/dlq', { admin: true });
    expect((await request('/admin/history', { admin: true, headers: { 'if-none-match': etag } })).status).toBe(304);
    await request('/nowhere');
    const changed = await request('/admin/history', { admin: true, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('the dashboard page and its files are neither SLO routes nor history routes', async () => {
    const { request, services } = app();
    for (const path of ['/', '/dashboard/uplot.js', '/dashboard/dashboard.css', '/favicon.ico']) {
      expect((await request(path)).status).toBeLessThan(300);
    }
    await request('/admin/history', { admin: true });
    expect(services.slo.routes().filter((r) => !r.includes('/admin'))).toEqual([]);
    expect(services.history.routes()).toEqual([]);
  });

  it('a new bucket is a new ETag', async () => {
    const { request, clock } = app();
    const etag = (await request('/admin/history', { admin: true })).headers.get('etag') as string;
    clock.advance(10_000);
    expect((await request('/admin/history', { admin: true, headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('is admin-only and parses its query strictly', async () => {
    const { request } = app();
    expect((await request('/admin/history')).status).toBe(401);
    expect((await request('/admin/history', { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } })).status).toBe(
      401,
    );
    const bad = await request('/admin/history?window=2d', { admin: true });
    expect(bad.status).toBe(422);
    expect((await bad.json()).code).toBe('validation_failed');
    expect((await request('/admin/history?window=1h&x=1', { admin: true })).status).toBe(422);
  });
});
