import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('reference server: public rate limiting', () => {
  it('adds IETF RateLimit fields and answers 429 problem+json past the limit', async () => {
    const { request, clock } = buildTestApp({ RATE_LIMIT_PER_SECOND: '2' });
    const first = await request('/events/evt_1');
    expect(first.headers.get('ratelimit-policy')).toContain('"per_second";q=2;w=1');
    expect(first.headers.get('ratelimit')).toMatch(/^"per_second";r=1;t=\d+$/);
    await request('/events/evt_1');
    const limited = await request('/events/evt_1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: 'rate_limit_exceeded' });
    clock.advance(1_000);
    expect((await request('/events/evt_1')).status).not.toBe(429);
  });

  it('counts denials by code for /admin/errors', async () => {
    const { request } = buildTestApp({ RATE_LIMIT_PER_SECOND: '1' });
    await request('/email/send', { admin: true, method: 'POST' });
    await request('/email/send', { admin: true, method: 'POST' });
    const snapshot = await (await request('/admin/errors', { admin: true })).json();
    expect(snapshot.codes).toContainEqual(expect.objectContaining({ code: 'rate_limit_exceeded', count: 1 }));
  });

  it('fails closed with 503 rate_limiter_unavailable when its Redis is unreachable', async () => {
    const port = await closedPort();
    const { request, services } = buildTestApp({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      RATE_LIMIT_DEADLINE_MS: '100',
    });
    try {
      const response = await request('/events/evt_1');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'rate_limiter_unavailable' });
      const ready = await request('/health/readiness');
      expect(ready.status).toBe(503);
    } finally {
      for (const closer of services.closers) await closer.close();
    }
  });
});
