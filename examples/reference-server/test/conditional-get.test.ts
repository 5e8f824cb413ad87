import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { etagMatches, jsonEtag } from '../src/conditional-get.js';
import { buildTestApp } from './helpers.js';

type Built = ReturnType<typeof buildTestApp>;
const apps: Built[] = [];
const servers: Server[] = [];
function app(env: Record<string, string> = {}) {
  const built = buildTestApp(env);
  apps.push(built);
  return built;
}
afterEach(async () => {
  for (const built of apps.splice(0)) for (const closer of built.services.closers) await closer.close();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A loopback receiver answering 500 to everything: deliveries to it are dead-lettered at once. */
async function failingReceiver(): Promise<string> {
  const server = createServer((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function createEndpoint(built: Built, url = 'https://receiver.example.com/hooks') {
  const response = await built.request('/admin/endpoints', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ url, eventTypes: ['order.created'] }),
  });
  expect(response.status).toBe(201);
  return (await response.json()).endpoint.id as string;
}

/**
 * Every admin JSON route the dashboard polls, with something that changes its answer. `quiet`
 * runs between the 304 checks: what the route must not count as a change (the clock moving,
 * other polling, a health probe re-running with the same result).
 */
const ROUTES: Array<{
  path: string;
  env?: Record<string, string>;
  prepare?: (built: Built) => Promise<void>;
  change?: (built: Built) => Promise<void>;
}> = [
  { path: '/admin/features' },
  { path: '/admin/dashboard/endpoints', change: async (built) => void (await createEndpoint(built)) },
  {
    path: '/admin/dashboard/dlq?limit=100',
    env: {
      WEBHOOK_REAL: '1',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
      DELIVERY_RETRY_SCHEDULE_MS: '0',
      DELIVERY_POLL_INTERVAL_MS: '10',
    },
    prepare: async (built) => void (await createEndpoint(built, `${await failingReceiver()}/hooks`)),
    change: async (built) => {
      const published = await built.request('/events', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ type: 'order.created', payload: {} }),
      });
      expect(published.status).toBe(202);
      built.services.delivery?.dispatcher.start();
      await built.services.delivery?.dispatcher.idle();
      expect((await built.services.delivery?.dispatcher.dlq.stats())?.size).toBe(1);
    },
  },
  {
    path: '/admin/email/suppressions?limit=100&q=',
    change: async ({ services, clock }) => {
      const at = new Date(clock.now());
      services.email?.store.addSuppressions(
        [
          {
            email: 'ann@acme.test',
            reason: 'hard_bounce',
            provider: 'resend',
            providerMessageId: undefined,
            occurredAt: at,
          },
        ],
        at,
      );
    },
  },
  { path: '/admin/errors', change: async ({ request }) => void (await request('/nowhere')) },
  {
    path: '/admin/slo/recommend',
    change: async ({ services }) => {
      services.slo.record('GET /events/:id', 12, 'ok');
    },
  },
  {
    path: '/admin/audit?limit=50',
    change: async ({ request }) =>
      void (await request('/admin/api-keys', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ name: 'publisher', scopes: ['events:publish'] }),
      })),
  },
  {
    path: '/admin/email/events?limit=20',
    change: async ({ services, clock }) => {
      const at = new Date(clock.now());
      services.email?.store.addEvents(
        [
          {
            type: 'bounced',
            provider: 'resend',
            recipient: 'ann@acme.test',
            providerMessageId: 'm_1',
            eventId: 'evt_1',
            occurredAt: at,
            metadata: {},
            raw: {},
          },
        ],
        at,
      );
    },
  },
  { path: '/health/dependencies', change: async ({ services }) => services.health.markShuttingDown() },
];

describe('conditional GET on the polled admin JSON routes', () => {
  for (const route of ROUTES) {
    it(`${route.path}: 200 with an ETag, 304 while unchanged (clock and probes moving), 200 after a change`, async () => {
      const built = app(route.env);
      const get = (etag?: string) =>
        built.request(route.path, {
          admin: true,
          headers: etag ? { 'if-none-match': etag } : {},
        });
      await route.prepare?.(built);
      const first = await get();
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag') as string;
      expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
      expect(first.headers.get('cache-control')).toBe('private, no-cache');
      expect(first.headers.get('vary')).toBe('authorization');
      await first.json();

      built.clock.advance(60_000);
      await built.services.health.refresh();
      const again = await get(`"other", ${etag}`);
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('content-type')).toBeNull();
      expect(await again.text()).toBe('');
      if (!route.change) return;
      await route.change(built);
      const changed = await get(etag);
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      const changedEtag = changed.headers.get('etag') as string;
      expect((await get(changedEtag)).status).toBe(304);
    });
  }

  it('the history keeps its own version ETag; errors, other methods and non-JSON answers get none', async () => {
    const { request } = app();
    expect((await request('/admin/history', { admin: true })).headers.get('etag')).toMatch(/^"h-15m-/);
    const refused = await request('/admin/errors');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('etag')).toBeNull();
    const created = await request('/admin/api-keys', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ name: 'publisher', scopes: ['events:publish'] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBeNull();
    const exported = await request('/admin/errors/export', { admin: true });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('etag')).toBeNull();
    const readiness = await request('/health/readiness');
    expect(readiness.status).toBe(200);
    expect(readiness.headers.get('etag')).toBeNull();
    // A validator is never a way around the admin guard.
    const etag = (await request('/admin/features', { admin: true })).headers.get('etag') as string;
    expect((await request('/admin/features', { headers: { 'if-none-match': etag } })).status).toBe(401);
    expect((await request('/admin/features', { admin: true, headers: { 'if-none-match': '*' } })).status).toBe(304);
  });

  it('jsonEtag ignores only the clock fields, at any depth; etagMatches compares weakly', () => {
    const a = jsonEtag(JSON.stringify({ now: 1, items: [{ ageMs: 5, id: 'x', checkedAt: 'a' }] }));
    expect(jsonEtag(JSON.stringify({ now: 2, items: [{ ageMs: 9, id: 'x', checkedAt: 'b' }] }))).toBe(a);
    expect(jsonEtag(JSON.stringify({ now: 1, items: [{ ageMs: 5, id: 'y', checkedAt: 'a' }] }))).not.toBe(a);
    expect(jsonEtag(JSON.stringify({ takenAtMs: 1, total: 3 }))).toBe(
      jsonEtag(JSON.stringify({ takenAtMs: 2, total: 3 })),
    );
    // Hostile string values that look like volatile members are data, not clock fields.
    expect(jsonEtag(JSON.stringify({ note: 'a"now":5' }))).not.toBe(jsonEtag(JSON.stringify({ note: 'a"now":6' })));
    expect(jsonEtag(JSON.stringify({ note: '"now":5', now: 1 }))).not.toBe(
      jsonEtag(JSON.stringify({ note: '"now":6', now: 1 })),
    );
    // A volatile key with an object value falls back to the exact JSON walk.
    expect(jsonEtag(JSON.stringify({ now: { at: 1 }, id: 'x' }))).toBe(jsonEtag(JSON.stringify({ now: [2], id: 'x' })));
    expect(jsonEtag(JSON.stringify({ now: { at: 1 }, id: 'x' }))).not.toBe(
      jsonEtag(JSON.stringify({ now: [2], id: 'y' })),
    );
    expect(jsonEtag(JSON.stringify({ now: -1.5e3, checkedAt: null, id: 'x' }))).toBe(
      jsonEtag(JSON.stringify({ now: 7, checkedAt: '2026-11-22T00:00:00.000Z', id: 'x' })),
    );
    expect(jsonEtag('{"nowhere":1}')).not.toBe(jsonEtag('{"nowhere":2}'));
    expect(etagMatches(undefined, a)).toBe(false);
    expect(etagMatches(a.slice(2), a)).toBe(true);
    expect(etagMatches(`"x", ${a}`, a)).toBe(true);
    expect(etagMatches('"x"', a)).toBe(false);
  });
});
