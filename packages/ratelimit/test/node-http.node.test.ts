import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, ipKey, nodeRateLimit } from '../src/index.js';

describe('nodeRateLimit on a real node:http server', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000 });
    const guard = nodeRateLimit(limiter, { key: ipKey({ trustedProxies: ['127.0.0.1'] }) });
    server = createServer(async (req, res) => {
      if (!(await guard(req, res))) return;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('limits per client IP behind a trusted proxy and answers 429 problem+json', async () => {
    const as = (ip: string) => fetch(base, { headers: { 'x-forwarded-for': ip } });
    expect((await as('203.0.113.1')).status).toBe(200);
    const second = await as('203.0.113.1');
    expect(second.headers.get('ratelimit')).toBe('"default";r=0;t=60');
    expect(second.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    const third = await as('203.0.113.1');
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(third.headers.get('retry-after'))).toBe(30);
    expect(await third.json()).toMatchObject({ code: 'rate_limit_exceeded', status: 429 });
    expect((await as('203.0.113.2')).status).toBe(200);
  });
});
