// The attacks of the security audit, each against the real app (SQLite in a temp DATA_DIR).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailgunSignature } from '@bulwark/email/mailgun';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createEndpointUrlCheck } from '../src/delivery/endpoint-url-check.js';
import { toStorageError } from '../src/storage-errors.js';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';
import { filesBytes } from './stored-bytes.js';

const built: Array<ReturnType<typeof buildTestApp>> = [];
const dirs: string[] = [];
function app(env: Record<string, string> = {}) {
  const next = buildTestApp(env);
  built.push(next);
  return next;
}
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-security-'));
  dirs.push(dir);
  return dir;
}
async function close(target: ReturnType<typeof buildTestApp>) {
  built.splice(built.indexOf(target), 1);
  for (const closer of target.services.closers) await closer.close();
}
afterEach(async () => {
  for (const next of built.splice(0)) for (const closer of next.services.closers) await closer.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function createKey(request: ReturnType<typeof buildTestApp>['request'], scopes: string[]) {
  const response = await request('/admin/api-keys', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ name: 'publisher', scopes }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string };
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const event = (payload: unknown, id?: string) =>
  JSON.stringify({ type: 'invoice.paid', payload, ...(id ? { id } : {}) });

describe('security: who may publish, send and read', () => {
  it('refuses anonymous publishing, reading and sending with 401 problem+json', async () => {
    const { request } = app();
    for (const [path, method] of [
      ['/events', 'POST'],
      ['/events/evt_1', 'GET'],
      ['/email/send', 'POST'],
      ['/metrics', 'GET'],
      ['/health/dependencies', 'GET'],
    ] as const) {
      const response = await request(path, { method, ...(method === 'POST' ? { body: event({}) } : {}) });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect((await response.json()).code).toBe('unauthorized');
    }
  });

  it('answers 403 to a valid key without the scope, and admin routes to no API key', async () => {
    const { request } = app();
    const { key } = await createKey(request, ['events:read']);
    expect((await request('/events', { method: 'POST', headers: bearer(key), body: event({}) })).status).toBe(403);
    expect((await request('/admin/errors', { headers: bearer(key) })).status).toBe(403);
    expect((await request('/events/missing', { headers: bearer(key) })).status).toBe(404);
  });

  it('serves GET /metrics to the metrics:read scope only, or to anyone with METRICS_PUBLIC=1', async () => {
    const { request } = app();
    const reader = await createKey(request, ['metrics:read']);
    const publisher = await createKey(request, ['events:publish']);
    expect((await request('/metrics')).status).toBe(401);
    expect((await request('/metrics', { headers: bearer(publisher.key) })).status).toBe(403);
    const scraped = await request('/metrics', { headers: bearer(reader.key) });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# TYPE');
    const open = app({ METRICS_PUBLIC: '1' });
    expect((await open.request('/metrics')).status).toBe(200);
  });

  it('refuses text/plain (no CORS preflight) with 415 before anything is published', async () => {
    const { request, services } = app();
    const { key } = await createKey(request, ['events:publish']);
    const response = await request('/events', {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'text/plain' },
      body: event({ amount: 0 }),
    });
    expect(response.status).toBe(415);
    expect((await response.json()).code).toBe('unsupported_media_type');
    expect((await services.delivery?.dispatcher.stats())?.pending).toBe(0);
  });

  it('shows a key once, lists it without its secret, and refuses it once revoked', async () => {
    const { request } = app();
    const { id, key } = await createKey(request, ['events:publish']);
    expect(key).toMatch(/^bwk_/);
    const list = await (await request('/admin/api-keys', { admin: true })).text();
    expect(list).toContain(id);
    expect(list).not.toContain(key.split('.')[1]);
    expect((await request('/events', { method: 'POST', headers: bearer(key), body: event({}) })).status).toBe(202);
    expect((await request(`/admin/api-keys/${id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect((await request('/events', { method: 'POST', headers: bearer(key), body: event({}) })).status).toBe(401);
    expect((await request(`/admin/api-keys/${id}`, { method: 'DELETE', admin: true })).status).toBe(404);
    const forged = `${key.slice(0, -4)}AAAA`;
    expect((await request('/events', { method: 'POST', headers: bearer(forged), body: event({}) })).status).toBe(401);
  });

  it('rejects malformed key creation input', async () => {
    const { request } = app();
    for (const body of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['admin'] },
      { name: '', scopes: ['events:read'] },
      { name: 'x', scopes: ['events:read', 'events:read'] },
      { name: 'x', scopes: ['events:read'], extra: 1 },
    ]) {
      const response = await request('/admin/api-keys', { method: 'POST', admin: true, body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
  });
});

describe('security: admin credentials', () => {
  const secret = 's'.repeat(40);
  async function jwt(
    services: ReturnType<typeof buildTestApp>['services'],
    claims: { exp?: number | undefined; iat?: number | undefined; aud?: string | undefined; iss?: string | undefined },
  ) {
    let token = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('ops');
    if (claims.exp !== undefined) token = token.setExpirationTime(claims.exp);
    if (claims.iat !== undefined) token = token.setIssuedAt(claims.iat);
    if (claims.aud) token = token.setAudience(claims.aud);
    if (claims.iss) token = token.setIssuer(claims.iss);
    void services;
    return token.sign(new TextEncoder().encode(secret));
  }

  it('requires exp within the maximum lifetime and the configured aud/iss', async () => {
    const { request, services } = app({
      ADMIN_JWT_SECRET: secret,
      ADMIN_JWT_AUDIENCE: 'bulwark-admin',
      ADMIN_JWT_ISSUER: 'https://idp.test',
    });
    const now = Math.floor(services.clock.now() / 1000);
    const good = { iat: now, exp: now + 600, aud: 'bulwark-admin', iss: 'https://idp.test' };
    const status = async (claims: Parameters<typeof jwt>[1]) =>
      (await request('/admin/errors', { headers: bearer(await jwt(services, claims)) })).status;
    expect(await status(good)).toBe(200);
    expect(await status({ ...good, exp: undefined })).toBe(401);
    expect(await status({ ...good, exp: now + 100 * 365 * 86_400 })).toBe(401);
    expect(await status({ ...good, exp: now - 3_600 })).toBe(401);
    expect(await status({ ...good, aud: 'other-service' })).toBe(401);
    expect(await status({ ...good, iss: 'https://evil.test' })).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', exp: now + 60 })).toString('base64url')}.`;
    expect((await request('/admin/errors', { headers: bearer(none) })).status).toBe(401);
  });

  it('keeps a rotation across restarts, refuses JWTs issued before it, and reads the audit log from the database', async () => {
    const dir = dataDir();
    const first = app({ DATA_DIR: dir, ADMIN_JWT_SECRET: secret });
    const now = Math.floor(first.services.clock.now() / 1000);
    const oldJwt = await jwt(first.services, { iat: now - 60, exp: now + 600 });
    const rotated = await first.request('/admin/token/rotate', { method: 'POST', admin: true });
    const { token } = (await rotated.json()) as { token: string };
    expect((await first.request('/admin/errors', { headers: bearer(oldJwt) })).status).toBe(401);
    await close(first);

    const second = app({ DATA_DIR: dir, ADMIN_JWT_SECRET: secret });
    expect((await second.request('/admin/errors', { admin: true })).status).toBe(401);
    expect((await second.request('/admin/errors', { headers: bearer(token) })).status).toBe(200);
    const audit = await (await second.request('/admin/audit', { headers: bearer(token) })).json();
    expect(audit.records[0]).toMatchObject({
      action: 'admin_token.rotate',
      actor: 'token:admin-token',
      source: 'unknown',
    });
    await close(second);

    // A new configured token is a fresh start: it works, the rotated one does not.
    const third = app({ DATA_DIR: dir, ADMIN_TOKEN: `fresh-${'x'.repeat(30)}` });
    expect((await third.request('/admin/errors', { headers: bearer(`fresh-${'x'.repeat(30)}`) })).status).toBe(200);
    expect((await third.request('/admin/errors', { headers: bearer(token) })).status).toBe(401);
  });

  it('throttles failed authentication per source: past 10 failures even the right token waits, with Retry-After', async () => {
    const { request, lines } = app();
    for (let i = 0; i < 10; i++)
      expect((await request('/admin/errors', { headers: bearer(`wrong-${i}`) })).status).toBe(401);
    const eleventh = await request('/admin/errors', { headers: bearer('wrong-11') });
    expect(eleventh.status).toBe(429);
    const blocked = await request('/admin/errors', { admin: true });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('x-request-id')).toBeTruthy();
    expect((await blocked.json()).code).toBe('auth_throttled');
    expect(lines.filter((l) => l.msg === 'authentication failed').every((l) => l.source === 'unknown')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(ADMIN_TOKEN);
  });
});

describe('security: headers, labels and limits', () => {
  it('sends CSP with frame-ancestors none, nosniff and no-referrer on API responses and the dashboard', async () => {
    const { request } = app();
    for (const path of ['/health/liveness', '/', '/nope']) {
      const response = await request(path);
      expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('labels metrics with the matched route, and decides the public rate limit once per request', async () => {
    const { request } = app({ RATE_LIMIT_PER_SECOND: '2' });
    expect((await request('/events/evt_1', { admin: true })).status).toBe(404);
    expect((await request('/events/evt_2', { admin: true })).status).toBe(404);
    const third = await request('/events/evt_3', { admin: true });
    expect(third.status).toBe(429);
    expect(third.headers.get('x-request-id')).toBeTruthy();
    const metrics = await (await request('/metrics', { admin: true })).text();
    expect(metrics).toContain('route="/events/:id"');
    expect(metrics).not.toContain('route="/events/*"');
  });

  it('limits each key to its publish rate with 429 and Retry-After', async () => {
    const { request } = app({ PUBLISH_RATE_PER_SECOND: '2' });
    const { key } = await createKey(request, ['events:publish']);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await request('/events', { method: 'POST', headers: bearer(key), body: event({ i }) })).status);
    expect(statuses).toEqual([202, 202, 429]);
  });

  it('answers 507 once a key holds its storage budget of pending payloads', async () => {
    const { request } = app({ STORAGE_BUDGET_BYTES_PER_KEY: '4096' });
    const { key } = await createKey(request, ['events:publish']);
    await request('/admin/endpoints', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ url: 'https://receiver.example.com/h', eventTypes: ['invoice.paid'] }),
    });
    const big = event({ blob: 'x'.repeat(3_000) });
    expect((await request('/events', { method: 'POST', headers: bearer(key), body: big })).status).toBe(202);
    const over = await request('/events', { method: 'POST', headers: bearer(key), body: big });
    expect(over.status).toBe(507);
    expect((await over.json()).code).toBe('storage_quota_exceeded');
    expect(over.headers.get('retry-after')).toBe('60');
  });

  it('limits `from` to the sender domains', async () => {
    const { request } = app();
    const response = await request('/email/send', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ from: 'ceo@victim.test', to: 'a@example.com', subject: 'Hi', text: 'x' }),
    });
    expect(response.status).toBe(422);
    expect((await response.json()).code).toBe('sender_not_allowed');
  });

  it('turns a full disk into 503 retryable, not 500', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(toStorageError(full)).toMatchObject({ code: 'storage_unavailable', status: 503, retryable: true });
    const bug = new TypeError('x is undefined');
    expect(toStorageError(bug)).toBe(bug);
  });
});

describe('security: publish integrity', () => {
  it('replays an event id with the same payload and refuses it with another (409), keeping the first', async () => {
    const { request } = app();
    const { key } = await createKey(request, ['events:publish']);
    const first = await request('/events', {
      method: 'POST',
      headers: bearer(key),
      body: event({ amount: 100 }, 'inv_1'),
    });
    expect(first.status).toBe(202);
    const same = await request('/events', {
      method: 'POST',
      headers: bearer(key),
      body: event({ amount: 100 }, 'inv_1'),
    });
    expect(same.status).toBe(202);
    expect(same.headers.get('event-id-replayed')).toBe('true');
    expect(await same.json()).toEqual(await first.json());
    const other = await request('/events', {
      method: 'POST',
      headers: bearer(key),
      body: event({ amount: 0 }, 'inv_1'),
    });
    expect(other.status).toBe(409);
    expect((await other.json()).code).toBe('event_id_conflict');
  });

  it('honours Idempotency-Key per API key: same body replays, other body 422', async () => {
    const { request } = app();
    const { key } = await createKey(request, ['events:publish']);
    const headers = { ...bearer(key), 'idempotency-key': '"order-7"' };
    const first = await request('/events', { method: 'POST', headers, body: event({ n: 1 }) });
    const again = await request('/events', { method: 'POST', headers, body: event({ n: 1 }) });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect((await request('/events', { method: 'POST', headers, body: event({ n: 2 }) })).status).toBe(422);
  });
});

describe('security: endpoints registered only where delivery may go', () => {
  it('refuses private, loopback, metadata and http endpoint URLs at registration', async () => {
    const { request } = app();
    for (const url of [
      'https://10.0.0.1/h',
      'https://127.0.0.1/h',
      'https://169.254.169.254/latest',
      'https://[::1]/h',
      'https://[::ffff:10.0.0.1]/h',
      'http://receiver.example.com/h',
    ]) {
      const response = await request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url, eventTypes: ['x'] }),
      });
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(response.status, url).toBeLessThan(500);
      expect((await response.json()).code, url).toMatch(/^delivery_/);
    }
  });

  it('with real egress, refuses a host whose DNS answers are private or that does not resolve', async () => {
    const config = loadConfig({ WEBHOOK_REAL: '1' });
    const resolver = async (host: string) => {
      if (host === 'rebind.example.com')
        return [
          { address: '8.8.8.8', family: 4 },
          { address: '10.1.2.3', family: 4 },
        ];
      if (host === 'public.example.com') return [{ address: '8.8.8.8', family: 4 }];
      throw new Error('ENOTFOUND');
    };
    const check = createEndpointUrlCheck(config, resolver);
    await expect(check('https://public.example.com/h')).resolves.toBeUndefined();
    await expect(check('https://rebind.example.com/h')).rejects.toMatchObject({ code: 'delivery_egress_refused' });
    await expect(check('https://nowhere.example.com/h')).rejects.toMatchObject({ code: 'delivery_invalid_endpoint' });
    await expect(check('not a url')).rejects.toMatchObject({ code: 'delivery_invalid_endpoint' });
  });
});

describe('security: webhooks whose signature does not cover the body', () => {
  it('refuses a captured Mailgun signature with substituted data after a restart (durable replay store)', async () => {
    const dir = dataDir();
    const env = { DATA_DIR: dir, MAILGUN_WEBHOOK_SIGNING_KEY: 'key-security-test' };
    const first = app(env);
    const timestamp = String(Math.floor(first.clock.now() / 1000));
    const token = 'captured-token-0001';
    const signature = { timestamp, token, signature: await mailgunSignature('key-security-test', timestamp, token) };
    const body = (recipient: string) =>
      JSON.stringify({
        signature,
        'event-data': {
          event: 'failed',
          severity: 'permanent',
          timestamp: Number(timestamp),
          id: `mg_${recipient}`,
          recipient,
        },
      });
    const post = (target: ReturnType<typeof buildTestApp>, recipient: string) =>
      target.request('/webhooks/email/mailgun', { method: 'POST', body: body(recipient) });
    expect((await post(first, 'real@example.com')).status).toBe(200);
    await close(first);

    const second = app(env);
    const replayed = await post(second, 'victim@example.com');
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ stored: 0, duplicate: true });
    const events = await (await second.request('/admin/email/events', { admin: true })).json();
    expect(JSON.stringify(events)).not.toContain('victim@example.com');
  });
});

describe('security: secrets at rest', () => {
  it('stores no endpoint secret, API key or admin token in any byte of DATA_DIR, and keeps files owner-only', async () => {
    const dir = dataDir();
    const { request, services, lines } = app({ DATA_DIR: dir });
    const created = await request('/admin/endpoints', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ url: 'https://receiver.example.com/h', eventTypes: ['invoice.paid'] }),
    });
    const { endpoint, secret } = (await created.json()) as { endpoint: { id: string }; secret: string };
    const rotated = (await (
      await request(`/admin/webhooks/${endpoint.id}/rotate-secret`, { method: 'POST', admin: true })
    ).json()) as { secret: string };
    const { key } = await createKey(request, ['events:publish']);
    const token = (
      (await (await request('/admin/token/rotate', { method: 'POST', admin: true })).json()) as { token: string }
    ).token;
    expect((await services.delivery?.store.getEndpoint(endpoint.id))?.secrets.map((s) => s.secret)).toEqual([
      rotated.secret,
      secret,
    ]);
    for (const closer of services.closers) await closer.close();
    built.length = 0;

    const bytes = filesBytes(dir);
    for (const value of [secret, rotated.secret, key, key.split('.')[1] as string, token, ADMIN_TOKEN]) {
      expect(bytes.includes(Buffer.from(value)), 'a secret was found in DATA_DIR').toBe(false);
      expect(bytes.includes(Buffer.from(value.replace(/^whsec_/, ''))), 'a secret was found in DATA_DIR').toBe(false);
    }
    expect(statSync(dir).mode & 0o077).toBe(0);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o077, name).toBe(0);
    // The embedded default key: generated into DATA_DIR owner-only, and said loudly at startup.
    expect(statSync(join(dir, 'data-encryption.key')).mode & 0o777).toBe(0o600);
    const warning = lines.find((line) => line.level === 40 && String(line.msg).includes('DATA_ENCRYPTION_KEYS'));
    expect(warning?.msg).toMatch(/^SECRETS ARE ENCRYPTED WITH A KEY STORED IN DATA_DIR/);

    // After a restart with the same key file the secrets still sign.
    const again = app({ DATA_DIR: dir });
    expect((await again.services.delivery?.store.getEndpoint(endpoint.id))?.secrets[0]?.secret).toBe(rotated.secret);
  });

  it('refuses to start in production without a configured key-encryption key', () => {
    expect(() => buildTestApp({ BULWARK_ENV: 'production' })).toThrow(/DATA_ENCRYPTION_KEYS/);
  });
});
