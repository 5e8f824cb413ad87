import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';

describe('reference server: health', () => {
  it('reports liveness and readiness from cached checks, and 503 once shutdown starts', async () => {
    const { request, services } = buildTestApp();
    expect(await (await request('/health/liveness')).json()).toEqual({ status: 'pass' });
    expect((await request('/health/readiness')).status).toBe(200);
    services.health.markShuttingDown();
    const ready = await request('/health/readiness');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toBe('application/health+json');
    expect((await request('/health/liveness')).status).toBe(200);
  });

  it('reports a failing critical check as not ready and a failing breaker as degraded, to admins only', async () => {
    const { request, services } = buildTestApp();
    services.health.register({ name: 'store', check: () => Promise.reject(new Error('disk gone at /var/secret')) });
    services.health.register({ name: 'breaker:extra', critical: false, check: () => false });
    await services.health.refresh();
    expect((await request('/health/readiness')).status).toBe(503);
    expect((await request('/health/dependencies')).status).toBe(401);
    const deps = await request('/health/dependencies', { admin: true });
    const text = await deps.text();
    expect(JSON.parse(text)).toMatchObject({
      status: 'fail',
      dependencies: expect.arrayContaining([
        expect.objectContaining({
          name: 'database',
          status: 'pass',
          details: { schemaVersion: services.database.expectedVersion },
        }),
        expect.objectContaining({ name: 'store', status: 'fail', code: 'health_check_failed' }),
        expect.objectContaining({ name: 'breaker:extra', status: 'warn' }),
        expect.objectContaining({ name: 'breaker:email:simulated', status: 'pass', details: { state: 'closed' } }),
      ]),
    });
    expect(text).not.toContain('/var/secret');
  });
});

describe('reference server: errors', () => {
  it('answers unknown routes with a problem+json 404 and a request id', async () => {
    const { request } = buildTestApp();
    const response = await request('/nope', { headers: { 'x-request-id': 'req-abc' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-request-id')).toBe('req-abc');
    expect(await response.json()).toMatchObject({ code: 'not_found', requestId: 'req-abc' });
  });

  it('replaces malformed request ids', async () => {
    const { request } = buildTestApp();
    const response = await request('/health/liveness', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('reference server: admin API', () => {
  it('rejects requests without valid admin credentials', async () => {
    const { request } = buildTestApp();
    expect((await request('/admin/errors')).status).toBe(401);
    const wrong = await request('/admin/errors', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('counts errors per code and exports them for Prometheus', async () => {
    const { request } = buildTestApp();
    await request('/admin/errors');
    await request('/missing');
    const snapshot = await (await request('/admin/errors', { admin: true })).json();
    expect(snapshot.codes.map((c: { code: string }) => c.code).sort()).toEqual(['not_found', 'unauthorized']);
    const text = await (await request('/admin/errors/export', { admin: true })).text();
    expect(text).toContain('bulwark_errors_total{code="unauthorized",status="401"} 1');
  });

  it('accepts an HS256 admin JWT when a JWT secret is configured', async () => {
    const secret = 'x'.repeat(40);
    const { request, services } = buildTestApp({ ADMIN_JWT_SECRET: secret });
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops@example.com')
      .setIssuedAt(Math.floor(services.clock.now() / 1000))
      .setExpirationTime(Math.floor(services.clock.now() / 1000) + 300)
      .sign(new TextEncoder().encode(secret));
    expect((await request('/admin/errors', { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(200);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('y'.repeat(40)));
    expect((await request('/admin/errors', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  });

  it('rotates the admin token: new one returned once, old one refused, action audited', async () => {
    const { request, app } = buildTestApp();
    const rotated = await request('/admin/token/rotate', { method: 'POST', admin: true });
    expect(rotated.status).toBe(201);
    const { token } = await rotated.json();
    expect(token).toMatch(/^adm_/);
    expect((await request('/admin/errors', { admin: true })).status).toBe(401);
    const audit = await app.request('/admin/audit', { headers: { authorization: `Bearer ${token}` } });
    expect((await audit.json()).records[0]).toMatchObject({ action: 'admin_token.rotate', actor: 'token:admin-token' });
    expect(ADMIN_TOKEN).not.toBe(token);
  });

  it('serves Prometheus metrics including request counters', async () => {
    const { request } = buildTestApp();
    await request('/health/liveness');
    expect((await request('/metrics')).status).toBe(401);
    const text = await (await request('/metrics', { admin: true })).text();
    expect(text).toContain('http_requests_total{route="/health/liveness",method="GET",status="200"} 1');
  });

  it('serves the dashboard page', async () => {
    const { request } = buildTestApp();
    const page = await request('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('operator dashboard');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/);
  });

  it('serves the dashboard files from its own origin, gzip-compressed, with an ETag answered by 304', async () => {
    const { request } = buildTestApp();
    const uplot = await request('/dashboard/uplot.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-encoding')).toBe('gzip');
    expect(uplot.headers.get('content-type')).toContain('text/javascript');
    const etag = uplot.headers.get('etag') as string;
    const again = await request('/dashboard/uplot.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const plain = await request('/dashboard/dashboard.css');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toContain('--surface');
  });
});

describe('reference server: logs', () => {
  it('logs rejected requests with error_code and never the credential', async () => {
    const { request, lines } = buildTestApp();
    await request('/admin/errors', { headers: { authorization: 'Bearer leaked-credential-value' } });
    const line = lines.find((l) => l.error_code === 'unauthorized');
    expect(line).toBeDefined();
    expect(JSON.stringify(lines)).not.toContain('leaked-credential-value');
  });
});
