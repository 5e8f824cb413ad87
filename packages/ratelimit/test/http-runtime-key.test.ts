import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cloudflareIpKey,
  honoRateLimit,
  isRateLimitKeyRequiredError,
  RateLimitKeyRequiredError,
  ratelimitErrors,
  withRateLimit,
} from '../src/index.js';
import { fakeLimiter } from './support/limiter.js';

const ok = () => new Response('ok');

function request(headers: Record<string, string> = {}) {
  return new Request('http://127.0.0.1/', { headers });
}

function honoContext(headers: Record<string, string> = {}) {
  return { req: { raw: request(headers) }, env: { SOME_BINDING: 'x' }, header() {} };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Fetch middleware on a runtime without a client address', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('withRateLimit refuses to start with every client in one bucket, with a typed error naming the fix', () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const error = catchError(() => withRateLimit(limiter, ok));
    expect(error).toBeInstanceOf(RateLimitKeyRequiredError);
    expect(isRateLimitKeyRequiredError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'rate_limit_key_required', status: 500 });
    expect((error as Error).message).toMatch(/`key`.*`remoteAddress`/s);
    expect(ratelimitErrors.has('rate_limit_key_required')).toBe(true);
    for (const onMissingKey of ['shared', 'skip'] as const) {
      expect(() => withRateLimit(limiter, ok, { onMissingKey })).toThrow(RateLimitKeyRequiredError);
    }
  });

  it('withRateLimit starts with a key function (a deliberate single bucket included) or a remoteAddress', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const global = withRateLimit(limiter, ok, { key: () => 'global' });
    expect((await global(request())).status).toBe(200);
    expect((await global(request())).status).toBe(429);
    const handler = (_request: Request, _info: { ip: string }) => ok();
    const byAddress = withRateLimit(limiter, handler, { remoteAddress: (_request, info) => info.ip });
    expect((await byAddress(request(), { ip: '192.0.2.1' })).status).toBe(200);
    expect((await byAddress(request(), { ip: '192.0.2.2' })).status).toBe(200);
  });

  it('honoRateLimit refuses its first request without an address or key (Deno, Bun, Workers-like env)', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const middleware = honoRateLimit(limiter);
    await expect(middleware(honoContext(), async () => {})).rejects.toMatchObject({ code: 'rate_limit_key_required' });
    const keyed = honoRateLimit(limiter, { key: () => 'global' });
    expect(await keyed(honoContext(), async () => {})).toBeUndefined();
  });

  it('honoRateLimit keeps serving once it has seen an address (a request whose socket closed early)', async () => {
    const { limiter } = fakeLimiter({ limit: 5, windowMs: 1_000 });
    const middleware = honoRateLimit(limiter);
    const node = { ...honoContext(), env: { incoming: { socket: { remoteAddress: '192.0.2.9' } } } };
    expect(await middleware(node, async () => {})).toBeUndefined();
    expect(await middleware(honoContext(), async () => {})).toBeUndefined();
  });
});

describe('on Cloudflare Workers', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function onWorkers(): void {
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
  }

  it('withRateLimit keys by CF-Connecting-IP by default: one bucket per client', async () => {
    onWorkers();
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const handler = withRateLimit(limiter, ok);
    expect((await handler(request({ 'cf-connecting-ip': '203.0.113.1' }))).status).toBe(200);
    expect((await handler(request({ 'cf-connecting-ip': '203.0.113.2' }))).status).toBe(200);
    expect((await handler(request({ 'cf-connecting-ip': '203.0.113.1' }))).status).toBe(429);
  });

  it('honoRateLimit keys by CF-Connecting-IP by default', async () => {
    onWorkers();
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const middleware = honoRateLimit(limiter);
    expect(await middleware(honoContext({ 'cf-connecting-ip': '203.0.113.1' }), async () => {})).toBeUndefined();
    expect(await middleware(honoContext({ 'cf-connecting-ip': '203.0.113.2' }), async () => {})).toBeUndefined();
    const denied = (await middleware(honoContext({ 'cf-connecting-ip': '203.0.113.1' }), async () => {})) as Response;
    expect(denied.status).toBe(429);
  });
});

describe('cloudflareIpKey', () => {
  it('parses the header strictly and groups IPv6 by /64', () => {
    const key = cloudflareIpKey();
    const info = (value?: string) => ({
      header: (name: string) => (name === 'cf-connecting-ip' ? value : undefined),
      remoteAddress: undefined,
    });
    expect(key(info('203.0.113.7'))).toBe('ip:203.0.113.7');
    expect(key(info('2001:db8:1:2:3:4:5:6'))).toBe('ip:2001:db8:1:2:0:0:0:0/64');
    expect(key(info('not-an-ip'))).toBeUndefined();
    expect(key(info('203.0.113.7, 10.0.0.1'))).toBeUndefined();
    expect(key(info())).toBeUndefined();
    expect(cloudflareIpKey({ ipv6Subnet: 128, prefix: 'cf:' })(info('2001:db8::1'))).toBe('cf:2001:db8:0:0:0:0:0:1');
    expect(() => cloudflareIpKey({ ipv6Subnet: 0 })).toThrow(/`ipv6Subnet`/);
  });
});
