import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecret, sign, verifyStandardWebhook } from '@bulwark/webhooks';
import { SignJWT } from 'jose';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GZIP_BUDGET_BYTES, type WorkerBundle } from './support/bundle.js';
import { type AttemptLog, startWorkerd, type WorkerSettings } from './support/workerd.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vectors = JSON.parse(readFileSync(resolve(root, '../../test-vectors/webhooks/standard-v1.json'), 'utf8')) as {
  cases: Array<{
    name: string;
    secrets: Array<{ secret?: string }>;
    headers: Record<string, string>;
    body?: string;
    expected: { valid: boolean };
  }>;
};

interface Fetcher {
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

interface Received {
  readonly at: number;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the stand-in receivers answer. */
const STATUS: Record<string, number> = { '/hook/fail': 500, '/hook/gone': 410, '/hook/down': 503 };

const jwtKey = new TextEncoder().encode('test-admin-key-0123456789abcdef0123456789');
const inbound = generateSecret();

async function adminToken(overrides: { exp?: number | null; aud?: string; iss?: string; key?: Uint8Array } = {}) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ops@example.com')
    .setIssuer(overrides.iss ?? 'https://auth.example.com')
    .setAudience(overrides.aud ?? 'bulwark-worker-admin')
    .setIssuedAt();
  if (overrides.exp !== null) jwt.setExpirationTime(overrides.exp ?? '5m');
  return jwt.sign(overrides.key ?? jwtKey);
}

// Real workerd (miniflare 4.20260426.0) running the bundled reference Worker with D1, the rate-limit
// Durable Object and Queues, against a 127.0.0.1 server standing in for the upstream API and the
// webhook receivers.
describe('reference Worker in workerd', () => {
  const received: Received[] = [];
  let upstreamStatus = 200;
  let server: Server;
  let mf: Miniflare;
  let bundle: WorkerBundle;
  /** The Worker's delivery attempt logs, as they happen. */
  let attempts: AttemptLog[] = [];

  /** A named Worker of the workerd instance (miniflare types its fetch with workers-types; this test uses undici's). */
  const worker = async (name: string) => (await mf.getWorker(name)) as unknown as Fetcher;
  const call = (path: string, init: RequestInit & { ip?: string; worker?: string } = {}): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init.headers));
    headers['cf-connecting-ip'] = init.ip ?? '198.51.100.1';
    const request = { method: init.method ?? 'GET', headers, ...(init.body ? { body: init.body as string } : {}) };
    const url = `http://worker.test${path}`;
    if (init.worker) return worker(init.worker).then((w) => w.fetch(url, request));
    return mf.dispatchFetch(url, request) as unknown as Promise<Response>;
  };
  const admin = async (path: string, init: RequestInit = {}) =>
    call(path, { ...init, headers: { authorization: `Bearer ${await adminToken()}`, ...init.headers } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ at: performance.now(), path: req.url ?? '', headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.statusCode = STATUS[req.url ?? ''] ?? (req.url === '/upstream' ? upstreamStatus : 200);
        res.end(req.url === '/upstream' ? '{"price":42}' : '{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const settings: WorkerSettings = {
      ADMIN_JWT_SECRET: new TextDecoder().decode(jwtKey),
      ADMIN_JWT_ISSUER: 'https://auth.example.com',
      ADMIN_JWT_AUDIENCE: 'bulwark-worker-admin',
      INBOUND_WEBHOOK_SECRET: inbound.toString(),
      SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      UPSTREAM_URL: `${base}/upstream`,
      RATE_LIMIT_PER_MINUTE: '10',
      RATE_LIMIT_DEADLINE_MS: '250',
      RETRY_SCHEDULE_MS: '0',
      EGRESS_ALLOW: '127.0.0.1',
      EGRESS_ALLOW_HTTP: 'true',
    };
    ({ mf, bundle, attempts } = await startWorkerd(root, settings));
    (globalThis as { base?: string }).base = base;
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    await new Promise((done) => server?.close(done));
  });

  it(`bundles (as wrangler deploy does) within ${GZIP_BUDGET_BYTES / 1000} kB gzip`, () => {
    console.log(
      `reference Worker bundle: ${(bundle.bytes / 1000).toFixed(1)} kB, gzip ${(bundle.gzipBytes / 1000).toFixed(1)} kB (budget ${GZIP_BUDGET_BYTES / 1000} kB gzip)`,
    );
    expect(bundle.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });

  it('answers the health probes; readiness checks D1', async () => {
    expect((await call('/health/liveness')).status).toBe(200);
    const ready = await call('/health/readiness');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'pass' });
  });

  describe('admin JWT (jose, HS256)', () => {
    it('refuses a missing, forged, expired, exp-less, wrong-audience or wrong-issuer token with a 401 problem', async () => {
      const tokens = [
        undefined,
        'not-a-jwt',
        await adminToken({ key: new TextEncoder().encode('another-key-0123456789abcdef0123456789ab') }),
        await adminToken({ exp: Math.floor(Date.now() / 1000) - 60 }),
        await adminToken({ exp: null }),
        await adminToken({ aud: 'someone-else' }),
        await adminToken({ iss: 'https://evil.example.com' }),
        `${btoa('{"alg":"none"}').replace(/=+$/, '')}.${btoa('{"sub":"x","exp":9999999999}').replace(/=+$/, '')}.`,
      ];
      for (const token of tokens) {
        const response = await call('/admin/endpoints', token ? { headers: { authorization: `Bearer ${token}` } } : {});
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await response.json()).toMatchObject({ status: 401, code: 'unauthorized' });
      }
    });

    it('accepts a valid token', async () => {
      const response = await admin('/admin/endpoints');
      expect(response.status).toBe(200);
      expect(Array.isArray(await response.json())).toBe(true);
    });

    it('validates endpoint definitions strictly (422 problem naming the field)', async () => {
      const response = await admin('/admin/endpoints', {
        method: 'POST',
        body: JSON.stringify({ url: 'https://hooks.example.com', surprise: 1 }),
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: 'validation_failed', detail: 'Unknown field `surprise`' });
    });

    it('refuses an event whose id cannot be a webhook-id (422) instead of publishing it under a new id', async () => {
      for (const id of ['has space', '', 'x'.repeat(129), 42]) {
        const response = await admin('/admin/events', {
          method: 'POST',
          body: JSON.stringify({ type: 'order.created', payload: {}, id }),
        });
        expect(response.status).toBe(422);
        expect(await response.json()).toMatchObject({ code: 'validation_failed' });
      }
    });
  });

  describe('rate limit (Durable Object store, keyed by CF-Connecting-IP)', () => {
    it('allows exactly the limit of 40 concurrent requests from one client; another client has its own budget', async () => {
      const answers = await Promise.all(Array.from({ length: 40 }, () => call('/api/ping', { ip: '203.0.113.7' })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(30);
      const denied = answers.find((a) => a.status === 429) as Response;
      expect(denied.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(denied.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await call('/api/ping', { ip: '203.0.113.8' })).status).toBe(200);
    });

    it('fails closed (503) when the Durable Object throws', async () => {
      const response = await call('/api/ping', { worker: 'throwing', ip: '203.0.113.9' });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });

    it('fails closed (503) within the 250 ms deadline when the Durable Object stalls', async () => {
      // The stall (30 s) outlasts this test's timeout: any answer at all came from the deadline
      // (causality, not a wall-clock bound a loaded machine can miss).
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => call('/api/ping', { worker: 'stalling', ip: '203.0.113.10' })),
      );
      expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
      expect(await (answers[0] as Response).json()).toMatchObject({
        code: 'rate_limiter_unavailable',
        reason: 'store_timeout',
      });
    });
  });

  it('opens the breaker around the upstream API at 50 % failures of 5 calls; then answers 503 circuit_open without calling it', async () => {
    upstreamStatus = 200;
    expect(await (await call('/api/quote', { ip: '192.0.2.1' })).json()).toEqual({ price: 42 });
    upstreamStatus = 500;
    const calls = () => received.filter((r) => r.path === '/upstream').length;
    const before = calls();
    const answers: Response[] = [];
    for (let i = 0; i < 6; i++) answers.push(await call('/api/quote', { ip: '192.0.2.1' }));
    // 1 success + 4 failures = 5 calls (minimumCalls), 80 % failures: open from the 5th request on.
    expect(answers.map((a) => a.status)).toEqual([502, 502, 502, 502, 503, 503]);
    expect(calls() - before).toBe(4);
    const open = answers[5] as Response;
    expect(open.headers.get('content-type')).toBe('application/problem+json');
    expect(await open.json()).toMatchObject({ code: 'circuit_open' });
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThan(0);
    upstreamStatus = 200;
  });

  describe('inbound webhooks and delivery on Queues', () => {
    const base = () => (globalThis as { base?: string }).base as string;

    async function register(path: string, eventTypes: string[], rateLimit?: { limit: number; intervalMs: number }) {
      const response = await admin('/admin/endpoints', {
        method: 'POST',
        body: JSON.stringify({ url: `${base()}${path}`, eventTypes, ...(rateLimit ? { rateLimit } : {}) }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { id: string; secret: string };
    }

    async function inboundEvent(id: string, body: string, secret = inbound.toString(), ip = '192.0.2.50') {
      const headers = await sign({ scheme: 'standard', secrets: secret, id, body });
      return call('/webhooks/inbound', { method: 'POST', headers: { ...headers }, body, ip });
    }

    it('refuses an inbound webhook with a bad signature (problem with the webhook code), accepts a signed one', async () => {
      const body = JSON.stringify({ type: 'nothing.subscribed', payload: { n: 1 } });
      const forged = await inboundEvent('msg_forged', body, generateSecret().toString());
      expect(forged.status).toBe(401);
      expect((await forged.json()) as { code: string }).toMatchObject({ code: 'webhook_signature_mismatch' });
      const ok = await inboundEvent('msg_signed', body);
      expect(ok.status).toBe(202);
      expect(await ok.json()).toEqual({ messageId: 'msg_signed', enqueued: 0 });
    });

    it('a correctly signed body that is not an event is a 422 problem, not a 500', async () => {
      for (const [id, body] of [
        ['msg_text', 'not json'],
        ['msg_null', 'null'],
        ['msg_untyped', '{"payload":1}'],
      ] as const) {
        const response = await inboundEvent(id, body);
        expect(response.status).toBe(422);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await response.json()).toMatchObject({ code: 'validation_failed' });
      }
    });

    it('delivers a verified inbound event, signed by the Worker and verified by the Node verifier', async () => {
      const endpoint = await register('/hook/ok', ['order.created']);
      const body = JSON.stringify({ type: 'order.created', payload: { order: 'o_1' } });
      expect((await inboundEvent('msg_order_1', body)).status).toBe(202);
      await vi.waitFor(() => expect(received.some((r) => r.path === '/hook/ok')).toBe(true), {
        timeout: 10_000,
        interval: 50,
      });
      const delivery = received.find((r) => r.path === '/hook/ok') as Received;
      const verified = await verifyStandardWebhook({
        secrets: endpoint.secret,
        headers: delivery.headers as Record<string, string>,
        body: delivery.body,
      });
      expect(verified.id).toBe('msg_order_1');
      expect(JSON.parse(delivery.body)).toEqual({ order: 'o_1' });
    });

    it('retries a failing delivery with message.retry(), then dead-letters it into D1', async () => {
      const endpoint = await register('/hook/fail', ['invoice.failed']);
      const published = await admin('/admin/events', {
        method: 'POST',
        body: JSON.stringify({ type: 'invoice.failed', payload: { invoice: 'in_9' }, id: 'msg_invoice_9' }),
      });
      expect(await published.json()).toEqual({ messageId: 'msg_invoice_9', enqueued: 1 });
      let dead: Array<Record<string, unknown>> = [];
      await vi.waitFor(
        async () => {
          dead = (await (await admin('/admin/dead-letters')).json()) as typeof dead;
          expect(dead.some((d) => d.messageId === 'msg_invoice_9')).toBe(true);
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(dead.find((d) => d.messageId === 'msg_invoice_9')).toEqual({
        messageId: 'msg_invoice_9',
        endpointId: endpoint.id,
        error: 'http_500',
        attempts: 2,
      });
      const attempts = received.filter((r) => r.path === '/hook/fail');
      expect(attempts).toHaveLength(2);
      for (const attempt of attempts) {
        const verified = await verifyStandardWebhook({
          secrets: endpoint.secret,
          headers: attempt.headers as Record<string, string>,
          body: attempt.body,
        });
        expect(verified.id).toBe('msg_invoice_9');
      }
      const endpoints = (await (await admin('/admin/endpoints')).json()) as Array<Record<string, unknown>>;
      expect(endpoints.find((e) => e.id === endpoint.id)).toMatchObject({
        enabled: true,
        failingSince: expect.any(Number),
      });
    });

    const publish = async (type: string, id: string) => {
      const sent = await admin('/admin/events', { method: 'POST', body: JSON.stringify({ type, payload: {}, id }) });
      expect(sent.status).toBe(202);
    };
    const deadLetter = async (messageId: string) => {
      const dead = (await (await admin('/admin/dead-letters')).json()) as Array<Record<string, unknown>>;
      return dead.find((d) => d.messageId === messageId);
    };

    it('a 410 disables the endpoint in D1 and dead-letters the delivery after one attempt', async () => {
      const endpoint = await register('/hook/gone', ['account.closed']);
      await publish('account.closed', 'msg_gone_1');
      await vi.waitFor(async () => expect(await deadLetter('msg_gone_1')).toBeDefined(), {
        timeout: 10_000,
        interval: 100,
      });
      expect(await deadLetter('msg_gone_1')).toMatchObject({ error: 'http_410', attempts: 1 });
      const endpoints = (await (await admin('/admin/endpoints')).json()) as Array<Record<string, unknown>>;
      expect(endpoints.find((e) => e.id === endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
    });

    it("opens a failing endpoint's breaker after 5 failed attempts: the next delivery is deferred, not sent", async () => {
      await register('/hook/down', ['status.changed']);
      const hits = () => received.filter((r) => r.path === '/hook/down').length;
      await publish('status.changed', 'msg_down_1');
      await vi.waitFor(async () => expect(await deadLetter('msg_down_1')).toBeDefined(), {
        timeout: 10_000,
        interval: 100,
      });
      await publish('status.changed', 'msg_down_2');
      await vi.waitFor(async () => expect(await deadLetter('msg_down_2')).toBeDefined(), {
        timeout: 10_000,
        interval: 100,
      });
      expect(hits()).toBe(4);
      await publish('status.changed', 'msg_down_3');
      // The 5th failure opened the breaker (5 calls, 100 % failures): the retry is refused by the open
      // breaker and re-enqueued (the Worker logs it), with no request and no attempt spent.
      const logged = () => attempts.filter((a) => a.messageId === 'msg_down_3');
      await vi.waitFor(() => expect(logged().some((a) => a.outcome === 'deferred')).toBe(true), {
        timeout: 10_000,
        interval: 50,
      });
      expect(hits()).toBe(5);
      expect(logged().slice(0, 2)).toMatchObject([
        { outcome: 'retry', error: 'http_503', attempt: 1 },
        { outcome: 'deferred', error: 'circuit_open', attempt: 1, delaySeconds: 5 },
      ]);
      expect(await deadLetter('msg_down_3')).toBeUndefined();
    });

    it('holds an endpoint to its rate limit (Durable Object store): the excess is re-enqueued, not dropped or retried', async () => {
      const endpoint = await register('/hook/limited', ['tick'], { limit: 1, intervalMs: 1_000 });
      const ids = ['msg_tick_0', 'msg_tick_1', 'msg_tick_2'];
      // One batch, as the producer sends it: the three limiter decisions are made together, one is allowed.
      const deliveriesQueue = await mf.getQueueProducer('DELIVERIES', 'worker');
      await deliveriesQueue.sendBatch(
        ids.map((messageId, i) => ({
          body: { v: 1, messageId, endpointId: endpoint.id, type: 'tick', payload: JSON.stringify({ i }) },
        })),
      );
      const deliveries = () => received.filter((r) => r.path === '/hook/limited');
      await vi.waitFor(() => expect(deliveries()).toHaveLength(3), { timeout: 15_000, interval: 100 });
      expect(deliveries().map((d) => d.headers['webhook-id'])).toEqual(expect.arrayContaining(ids));
      const logged = () => attempts.filter((a) => ids.includes(a.messageId as string));
      // Every message was delivered once; every other outcome was a rate-limit deferral that spent no
      // attempt (never a retry or a dead letter). The three decisions of the batch are made together, so
      // at least one is refused (how many depends on when the batch's decisions land, so not asserted).
      // The Worker logs a delivery after the receiver answered it, so the last log line may still be on its way.
      await vi.waitFor(
        () =>
          expect(
            logged()
              .filter((a) => a.outcome === 'delivered')
              .map((a) => a.messageId),
          ).toEqual(expect.arrayContaining(ids)),
        { timeout: 5_000, interval: 50 },
      );
      const deferred = logged().filter((a) => a.outcome !== 'delivered');
      expect(deferred.every((a) => a.outcome === 'deferred' && a.error === 'rate_limited' && a.attempt === 0)).toBe(
        true,
      );
      expect(deferred.length).toBeGreaterThan(0);
      const dead = (await (await admin('/admin/dead-letters')).json()) as Array<Record<string, unknown>>;
      expect(dead.filter((d) => ids.includes(String(d.messageId)))).toEqual([]);
    });

    it('a delivery the consumer keeps failing on reaches the dead-letter queue through max_retries and is recorded with its ids', async () => {
      const endpoint = await register('/hook/never', ['never.published']);
      const db = await mf.getD1Database('DB', 'worker');
      // A sealed secret that no longer opens: every attempt fails inside the consumer (an internal
      // error, retried), so Queues itself moves the message to the dead-letter queue after max_retries.
      await db.prepare("UPDATE endpoints SET sealed_secret = 'v1.AAAA.AAAA' WHERE id = ?").bind(endpoint.id).run();
      try {
        const deliveries = await mf.getQueueProducer('DELIVERIES', 'worker');
        await deliveries.send({
          v: 1,
          messageId: 'msg_crash_1',
          endpointId: endpoint.id,
          type: 'never.published',
          payload: '{}',
          prior: 2,
        });
        await vi.waitFor(async () => expect(await deadLetter('msg_crash_1')).toBeDefined(), {
          timeout: 20_000,
          interval: 100,
        });
        // Queues does not say how many times it delivered the message: the count is unknown (null).
        expect(await deadLetter('msg_crash_1')).toEqual({
          messageId: 'msg_crash_1',
          endpointId: endpoint.id,
          error: 'delivery_max_retries_exceeded',
          attempts: null,
        });
      } finally {
        // The other routes list every endpoint (and open its secret).
        await db.prepare('DELETE FROM endpoints WHERE id = ?').bind(endpoint.id).run();
      }
      expect(received.filter((r) => r.path === '/hook/never')).toEqual([]);
    });

    it('an endpoint whose sealed secret no longer opens does not stop publishing to the others', async () => {
      const broken = await register('/hook/broken', ['never.published']);
      await register('/hook/ok', ['audit.logged']);
      const db = await mf.getD1Database('DB', 'worker');
      await db.prepare("UPDATE endpoints SET sealed_secret = 'v1.AAAA.AAAA' WHERE id = ?").bind(broken.id).run();
      try {
        const sent = await admin('/admin/events', {
          method: 'POST',
          body: JSON.stringify({ type: 'audit.logged', payload: {}, id: 'msg_audit_1' }),
        });
        expect(sent.status).toBe(202);
        expect(await sent.json()).toMatchObject({ enqueued: 1 });
      } finally {
        await db.prepare('DELETE FROM endpoints WHERE id = ?').bind(broken.id).run();
      }
    });

    it('signs every single-secret test vector exactly as the vectors say, inside workerd', async () => {
      const cases = vectors.cases.filter(
        (c) =>
          c.expected.valid &&
          c.body !== undefined &&
          c.secrets.length === 1 &&
          /^v1,[A-Za-z0-9+/=]+$/.test(c.headers['webhook-signature'] ?? ''),
      );
      expect(cases.length).toBeGreaterThanOrEqual(5);
      const inputs = cases.map((c) => ({
        id: c.headers['webhook-id'],
        timestamp: Number(c.headers['webhook-timestamp']),
        body: c.body,
        secret: c.secrets[0]?.secret,
      }));
      const harness = await worker('harness');
      const signed = (await (
        await harness.fetch('http://harness.test/', { method: 'POST', body: JSON.stringify(inputs) })
      ).json()) as string[];
      expect(signed).toEqual(cases.map((c) => c.headers['webhook-signature']));
    });

    it('accepts an inbound body of exactly 256 KiB; refuses one byte more with a 413 problem, whether declared or streamed', async () => {
      const sized = (bytes: number) => {
        const shell = JSON.stringify({ type: 'nothing.subscribed', payload: '' });
        return JSON.stringify({ type: 'nothing.subscribed', payload: 'x'.repeat(bytes - shell.length) });
      };
      expect((await inboundEvent('msg_big_0', sized(256 * 1024), undefined, '192.0.2.62')).status).toBe(202);
      const big = sized(256 * 1024 + 1);
      const declared = await inboundEvent('msg_big_1', big, undefined, '192.0.2.60');
      expect(declared.status).toBe(413);
      expect(declared.headers.get('content-type')).toBe('application/problem+json');
      expect(await declared.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
      // Chunked, no Content-Length: the Worker counts the bytes as they stream in.
      const chunk = new TextEncoder().encode('y'.repeat(64 * 1024));
      let pulled = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled === 8) return controller.close();
          pulled++;
          controller.enqueue(chunk);
        },
      });
      const headers = await sign({ scheme: 'standard', secrets: inbound.toString(), id: 'msg_big_2', body: '{}' });
      const streamed = (await mf.dispatchFetch('http://worker.test/webhooks/inbound', {
        method: 'POST',
        headers: { ...headers, 'cf-connecting-ip': '192.0.2.61' },
        body: stream as never,
        duplex: 'half',
      })) as unknown as Response;
      expect(streamed.status).toBe(413);
      expect(await streamed.json()).toMatchObject({ code: 'payload_too_large' });
    });

    it('acknowledges a re-sent signed webhook (200, duplicate) without publishing it again, from any isolate', async () => {
      await register('/hook/replayed', ['order.replayed']);
      const body = JSON.stringify({ type: 'order.replayed', payload: { order: 'o_2' } });
      const headers = await sign({ scheme: 'standard', secrets: inbound.toString(), id: 'msg_replay_1', body });
      const send = (worker?: string) =>
        call('/webhooks/inbound', {
          method: 'POST',
          headers: { ...headers },
          body,
          ip: '192.0.2.70',
          ...(worker ? { worker } : {}),
        });
      const first = await send();
      expect(first.status).toBe(202);
      expect(await first.json()).toEqual({ messageId: 'msg_replay_1', enqueued: 1 });
      // The same isolate, then another Worker instance (its own isolate) sharing the D1 database.
      for (const worker of [undefined, 'replica']) {
        const again = await send(worker);
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ messageId: 'msg_replay_1', duplicate: true });
      }
      // A forged copy of the same id is still refused, not acknowledged.
      const forged = await inboundEvent('msg_replay_1', body, generateSecret().toString(), '192.0.2.70');
      expect(forged.status).toBe(401);
    });

    it('gives the id back when the webhook is not taken (a re-sent 422 is a 422 again), and fails closed (503) when D1 fails', async () => {
      const ip = '192.0.2.71';
      for (let i = 0; i < 2; i++) {
        const response = await inboundEvent('msg_replay_bad', '{"payload":1}', undefined, ip);
        expect(response.status).toBe(422);
      }
      const db = await mf.getD1Database('DB', 'worker');
      await db.prepare('ALTER TABLE inbound_webhook_ids RENAME TO inbound_webhook_ids_away').run();
      try {
        const body = JSON.stringify({ type: 'nothing.subscribed', payload: {} });
        const response = await inboundEvent('msg_replay_down', body, undefined, ip);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({ code: 'webhook_replay_store_unavailable' });
      } finally {
        await db.prepare('ALTER TABLE inbound_webhook_ids_away RENAME TO inbound_webhook_ids').run();
      }
    });

    it('records each dead letter once: a D1 failure on one message retries that message only; a redelivered one is not written twice', async () => {
      const db = await mf.getD1Database('DB', 'worker');
      // Fault injection: D1 refuses every dead letter of endpoint ep_poison.
      await db
        .prepare(
          "CREATE TRIGGER poison_dead_letter BEFORE INSERT ON dead_letters WHEN NEW.endpoint_id = 'ep_poison' BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END",
        )
        .run();
      try {
        const letter = (messageId: string, endpointId: string) => ({
          body: { body: { v: 1, messageId, endpointId, type: 't', payload: '{}' }, error: 'http_500', attempts: 8 },
        });
        const dlq = await mf.getQueueProducer('DELIVERIES_DLQ', 'worker');
        await dlq.sendBatch([
          letter('msg_dl_a', 'ep_dl'),
          letter('msg_dl_p', 'ep_poison'),
          letter('msg_dl_a', 'ep_dl'), // the same dead letter delivered again
          letter('msg_dl_c', 'ep_dl'),
        ]);
        await vi.waitFor(async () => expect(await deadLetter('msg_dl_c')).toBeDefined(), {
          timeout: 15_000,
          interval: 100,
        });
        const { results } = await db
          .prepare("SELECT message_id FROM dead_letters WHERE endpoint_id = 'ep_dl' ORDER BY message_id")
          .all();
        expect(results).toEqual([{ message_id: 'msg_dl_a' }, { message_id: 'msg_dl_c' }]);
      } finally {
        await db.prepare('DROP TRIGGER poison_dead_letter').run();
      }
    });
  });
});
