// Client addresses behind a load balancer (#17 item 10): X-Forwarded-For is believed only from the
// TCP peers listed in TRUSTED_PROXIES, so clients behind the proxy get their own rate-limit
// buckets and failed-auth throttles, the logs name them, and nobody outside can choose an address.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

const PROXY = '10.0.0.5';

/** A request as `@hono/node-server` hands it over: the TCP peer on `env.incoming.socket`. */
function fromPeer(app: ReturnType<typeof buildTestApp>['app'], peer: string, headers: Record<string, string>) {
  return app.request(
    '/events',
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' },
    { incoming: { socket: { remoteAddress: peer } } },
  );
}

describe('trusted proxies', () => {
  it('gives each forwarded client its own rate-limit bucket behind a trusted proxy', async () => {
    const { app, services } = buildTestApp({ TRUSTED_PROXIES: PROXY, RATE_LIMIT_PER_SECOND: '2' });
    await services.health.refresh();
    const statuses = async (peer: string, client: string) => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((await fromPeer(app, peer, { 'x-forwarded-for': client })).status);
      return out;
    };
    // Two clients through the proxy: two buckets (401: no credentials, but not rate limited).
    expect(await statuses(PROXY, '203.0.113.7')).toEqual([401, 401, 429]);
    expect(await statuses(PROXY, '203.0.113.8')).toEqual([401, 401, 429]);
  });

  it('ignores X-Forwarded-For from any other peer: a spoofed address shares the peer bucket', async () => {
    const { app } = buildTestApp({ TRUSTED_PROXIES: PROXY, RATE_LIMIT_PER_SECOND: '2' });
    const statuses: number[] = [];
    for (const spoofed of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      statuses.push((await fromPeer(app, '192.0.2.9', { 'x-forwarded-for': spoofed })).status);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('logs and throttles failed authentication by the forwarded client, not by the proxy', async () => {
    const { app, lines } = buildTestApp({ TRUSTED_PROXIES: PROXY, RATE_LIMIT_PER_SECOND: '1000' });
    const attempt = (client: string) =>
      fromPeer(app, PROXY, { 'x-forwarded-for': client, authorization: 'Bearer wrong-credential' });
    for (let i = 0; i < 10; i++) expect((await attempt('203.0.113.7')).status).toBe(401);
    expect((await attempt('203.0.113.7')).status).toBe(429);
    // Another client behind the same proxy is not throttled by the first one's failures.
    expect((await attempt('203.0.113.8')).status).toBe(401);
    const sources = lines.filter((line) => line.msg === 'authentication failed').map((line) => line.source);
    expect(new Set(sources)).toEqual(new Set(['203.0.113.7', '203.0.113.8']));
  });
});
