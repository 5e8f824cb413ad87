import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  createRateLimiter,
  type Decision,
  denialResponse,
  expressRateLimit,
  fastifyRateLimit,
  headerKey,
  honoRateLimit,
  QUOTA_EXCEEDED_TYPE,
  rateLimitHeaders,
  type Store,
  TEMPORARY_REDUCED_CAPACITY_TYPE,
  withRateLimit,
} from '../src/index.js';
import { fakeLimiter } from './support/limiter.js';

const failing: Store = {
  name: 'down',
  decide: () => Promise.reject(new Error('ECONNREFUSED')),
};
const quiet = { warn: () => {} };

describe('rateLimitHeaders', () => {
  it('writes draft-11 RateLimit-Policy and RateLimit fields', async () => {
    const { limiter } = fakeLimiter({
      policies: [
        { name: 'burst', limit: 10, windowMs: 1_000 },
        { name: 'day', algorithm: 'fixed-window', limit: 1_000, windowMs: 86_400_000 },
      ],
    });
    const decision = await limiter.limit('k');
    expect(rateLimitHeaders(decision)).toEqual({
      'ratelimit-policy': '"burst";q=10;w=1, "day";q=1000;w=86400',
      ratelimit: '"burst";r=9;t=1',
    });
  });

  it('adds Retry-After in whole seconds, rounded up, on denials', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    clock.advance(30_500);
    await limiter.limit('k');
    const denied = await limiter.limit('k');
    expect(denied.retryAfterMs).toBe(29_500);
    expect(rateLimitHeaders(denied)).toMatchObject({ ratelimit: '"default";r=0;t=30', 'retry-after': '30' });
  });

  it('omits RateLimit when the store failed', async () => {
    const limiter = createRateLimiter({ limit: 5, windowMs: 500, store: failing, logger: quiet });
    const decision = await limiter.limit('k');
    expect(rateLimitHeaders(decision, { policies: limiter.policies })).toEqual({
      'ratelimit-policy': '"default";q=5;w=1',
      'retry-after': '1',
    });
    expect(rateLimitHeaders(decision)).toEqual({ 'retry-after': '1' });
  });
});

describe('denialResponse', () => {
  it('is a 429 quota-exceeded problem for limited decisions', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    await limiter.limit('k');
    const decision = await limiter.limit('k');
    const res = denialResponse(decision, rateLimitHeaders(decision));
    expect(res.status).toBe(429);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(res.body)).toMatchObject({
      type: QUOTA_EXCEEDED_TYPE,
      status: 429,
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterMs: 1_000,
      'violated-policies': ['default'],
    });
  });

  it('is a 503 rate_limiter_unavailable problem for store failures', async () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1_000, store: failing, logger: quiet });
    const decision = await limiter.limit('k');
    const res = denialResponse(decision, {});
    expect(res.status).toBe(503);
    expect(res.problem).toMatchObject({
      type: TEMPORARY_REDUCED_CAPACITY_TYPE,
      code: 'rate_limiter_unavailable',
      reason: 'store_unavailable',
    });
  });
});

describe('withRateLimit (Fetch)', () => {
  it('passes allowed requests through with headers, answers denials itself', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const handler = withRateLimit(limiter, () => new Response('ok'), { remoteAddress: () => '192.0.2.1' });
    const first = await handler(new Request('http://127.0.0.1/'));
    expect(await first.text()).toBe('ok');
    expect(first.headers.get('ratelimit')).toBe('"default";r=0;t=1');
    const second = await handler(new Request('http://127.0.0.1/'));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()) as unknown).toMatchObject({ code: 'rate_limit_exceeded' });
  });

  it('copies immutable responses to add headers', async () => {
    const { limiter } = fakeLimiter({ limit: 5, windowMs: 1_000 });
    const handler = withRateLimit(limiter, () => Response.redirect('http://127.0.0.1/next', 302), {
      remoteAddress: () => '192.0.2.1',
    });
    const res = await handler(new Request('http://127.0.0.1/'));
    expect(res.status).toBe(302);
    expect(res.headers.get('ratelimit-policy')).toBe('"default";q=5;w=1');
  });

  it('shares one bucket for requests the key gives no key, or skips them', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const noAddress = () => undefined;
    const shared = withRateLimit(limiter, () => new Response('ok'), { remoteAddress: noAddress });
    expect((await shared(new Request('http://127.0.0.1/'))).status).toBe(200);
    expect((await shared(new Request('http://127.0.0.1/'))).status).toBe(429);
    const skip = withRateLimit(limiter, () => new Response('ok'), {
      remoteAddress: noAddress,
      onMissingKey: 'skip',
      headers: false,
    });
    const res = await skip(new Request('http://127.0.0.1/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit')).toBeNull();
    expect(() =>
      withRateLimit(limiter, () => new Response(''), { key: noAddress, onMissingKey: 'deny' as never }),
    ).toThrow(/`onMissingKey`/);
  });

  it('charges a per-request cost and omits headers on allowed responses when asked', async () => {
    const { limiter } = fakeLimiter({ limit: 10, windowMs: 1_000 });
    const handler = withRateLimit(limiter, () => new Response('ok'), {
      key: headerKey('x-user'),
      cost: () => 4,
      headers: false,
    });
    const req = () => new Request('http://127.0.0.1/', { headers: { 'x-user': 'u1' } });
    expect((await handler(req())).headers.get('ratelimit')).toBeNull();
    await handler(req());
    expect((await handler(req())).status).toBe(429);
  });
});

function fakeNodeResponse() {
  const headers: Record<string, string> = {};
  return {
    statusCode: 200,
    body: undefined as string | undefined,
    headers,
    setHeader(name: string, value: string) {
      headers[name] = value;
    },
    end(body?: string) {
      this.body = body;
    },
  };
}

describe('expressRateLimit', () => {
  it('calls next when allowed and writes the problem when denied', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const middleware = expressRateLimit(limiter);
    const req = { headers: {}, socket: { remoteAddress: '192.0.2.1' } };
    let nexts = 0;
    const ok = fakeNodeResponse();
    await new Promise<void>((resolve) => middleware(req, ok, () => resolve(void nexts++)));
    expect(nexts).toBe(1);
    expect(ok.headers.ratelimit).toBe('"default";r=0;t=1');
    const denied = fakeNodeResponse();
    middleware(req, denied, () => nexts++);
    await new Promise((r) => setTimeout(r, 0));
    expect(denied.statusCode).toBe(429);
    expect(denied.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(denied.body ?? '')).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(nexts).toBe(1);
  });

  it('passes key extractor errors to next(error)', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const middleware = expressRateLimit(limiter, {
      key: () => {
        throw new Error('extractor bug');
      },
    });
    const error = await new Promise((resolve) => middleware({ headers: {} }, fakeNodeResponse(), resolve));
    expect(error).toBeInstanceOf(Error);
  });

  it('joins repeated headers', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const keys: Array<string | undefined> = [];
    const middleware = expressRateLimit(limiter, {
      key: (r) => {
        keys.push(r.header('X-Forwarded-For'));
        return 'k';
      },
    });
    await new Promise((resolve) =>
      middleware({ headers: { 'x-forwarded-for': ['a', 'b'] } }, fakeNodeResponse(), resolve),
    );
    expect(keys).toEqual(['a, b']);
  });
});

describe('fastifyRateLimit', () => {
  function fakeReply() {
    const reply = {
      status: 200,
      headers: {} as Record<string, string>,
      sent: undefined as string | undefined,
      code(status: number) {
        reply.status = status;
        return reply;
      },
      header(name: string, value: string) {
        reply.headers[name] = value;
        return reply;
      },
      send(body: string) {
        reply.sent = body;
        return reply;
      },
    };
    return reply;
  }

  it('sets headers when allowed and sends a 503 when the store fails', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const hook = fastifyRateLimit(limiter);
    const request = { headers: {}, socket: { remoteAddress: '::1' } };
    const ok = fakeReply();
    expect(await hook(request, ok)).toBeUndefined();
    expect(ok.headers['ratelimit-policy']).toBe('"default";q=1;w=1');
    const down = createRateLimiter({ limit: 1, windowMs: 1_000, store: failing, logger: quiet });
    const reply = fakeReply();
    expect(await fastifyRateLimit(down)(request, reply)).toBe(reply);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.sent ?? '')).toMatchObject({ code: 'rate_limiter_unavailable' });
  });
});

describe('honoRateLimit', () => {
  function fakeContext(remoteAddress?: string) {
    const headers: Record<string, string> = {};
    return {
      req: { raw: new Request('http://127.0.0.1/') },
      env: remoteAddress ? { incoming: { socket: { remoteAddress } } } : undefined,
      headers,
      header(name: string, value: string) {
        headers[name] = value;
      },
    };
  }

  it('adds headers after next() and returns a problem response when denied', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const middleware = honoRateLimit(limiter);
    const c = fakeContext('192.0.2.7');
    let called = 0;
    expect(await middleware(c, async () => void called++)).toBeUndefined();
    expect(called).toBe(1);
    expect(c.headers.ratelimit).toBe('"default";r=0;t=1');
    const denied = (await middleware(fakeContext('192.0.2.7'), async () => void called++)) as Response;
    expect(denied.status).toBe(429);
    expect(called).toBe(1);
    const custom = honoRateLimit(limiter, { remoteAddress: () => '192.0.2.8' });
    expect(await custom(fakeContext(), async () => {})).toBeUndefined();
  });

  it("sets the fields on a real Hono app's response in place, copying only an immutable one", async () => {
    const { limiter } = fakeLimiter({ limit: 10, windowMs: 1_000 });
    const app = new Hono<{ Bindings: { incoming: { socket: { remoteAddress: string } } } }>();
    app.use('*', honoRateLimit(limiter));
    let returned: Response | undefined;
    app.get('/json', (c) => {
      returned = c.json({ ok: true });
      return returned;
    });
    app.get('/raw', () => {
      returned = new Response('raw', { headers: { 'x-own': '1' } });
      return returned;
    });
    app.get('/redirect', () => Response.redirect('http://127.0.0.1/next', 302));
    const env = { incoming: { socket: { remoteAddress: '192.0.2.9' } } };
    for (const path of ['/json', '/raw']) {
      const response = await app.request(path, {}, env);
      expect(response, path).toBe(returned); // not a copy: c.header() after next() would make one per field
      expect(response.headers.get('ratelimit')).toMatch(/^"default";r=\d+;t=1$/);
      expect(response.headers.get('ratelimit-policy')).toBe('"default";q=10;w=1');
    }
    expect((await app.request('/raw', {}, env)).headers.get('x-own')).toBe('1');
    const redirect = await app.request('/redirect', {}, env);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('http://127.0.0.1/next');
    expect(redirect.headers.get('ratelimit')).toMatch(/^"default";r=\d+;t=1$/);
  });
});

describe('decision shape', () => {
  it('is plain data', async () => {
    const { limiter } = fakeLimiter({ limit: 2, windowMs: 1_000 });
    const decision: Decision = await limiter.limit('k');
    expect(JSON.parse(JSON.stringify(decision))).toMatchObject({ allowed: true, reason: 'ok', policy: 'default' });
  });
});
