// Fleet mode (REDIS_URL): API keys, the admin token's rotation and the failed-authentication
// throttle live in Redis, so a key
// created through one instance works on every instance, a revocation or rotation on one is
// honoured by the others within the 1 s cache, and a Redis that is stopped or stalls answers
// 503 (retryable), never 401 and never 200.
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { redisClientOptions } from '@bulwark/ratelimit/redis';
import { clusterSlot, FakeClock, redisUrl } from '@bulwark/testing';
import { sharedCluster } from '@bulwark/testing/own-cluster';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { API_KEY_CACHE_TTL_MS, createApiKeysOver } from '../src/auth/api-keys.js';
import { redisApiKeyRows } from '../src/auth/redis-api-key-rows.js';
import { redisReady } from '../src/redis-connection.js';
import { buildTestApp } from './helpers.js';

const KEYS = `fleet:${Buffer.alloc(32, 7).toString('base64')}`;

function requireRedisUrl(): string {
  const url = redisUrl();
  if (!url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
  return url;
}

async function twoInstances(env: Record<string, string>, { connected = true } = {}) {
  const a = buildTestApp({ DATA_ENCRYPTION_KEYS: KEYS, ...env });
  const b = buildTestApp({ DATA_ENCRYPTION_KEYS: KEYS, ...env });
  // As main.ts waits before serving (a Cluster client still discovering slots spent a request's deadline).
  if (connected) await Promise.all([a, b].map(({ services }) => services.redis && redisReady(services.redis, 10_000)));
  const close = async () => {
    for (const instance of [a, b]) for (const closer of instance.services.closers) await closer.close();
  };
  return { a, b, close };
}

type Instance = ReturnType<typeof buildTestApp>;
const withKey = (instance: Instance, key: string) =>
  instance.request('/metrics', { headers: { authorization: `Bearer ${key}` } });

async function createOnAUseOnBRevokeOnA(a: Instance, b: Instance, prefix: string) {
  const created = await a.request('/admin/api-keys', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ name: 'scraper', scopes: ['metrics:read'] }),
  });
  expect(created.status).toBe(201);
  const { id, key } = (await created.json()) as { id: string; key: string };
  // Created on A, it authenticates on B (which has never seen it).
  expect((await withKey(b, key)).status).toBe(200);
  const listed = (await (await b.request('/admin/api-keys', { admin: true })).json()) as {
    keys: Array<{ id: string; revokedAt: string | null }>;
  };
  expect(listed.keys.find((k) => k.id === id)).toMatchObject({ revokedAt: null });
  // A wrong secret for the same id is refused on B, cached row or not.
  expect((await withKey(b, `${key.slice(0, -4)}AAAA`)).status).toBe(401);

  expect((await a.request(`/admin/api-keys/${id}`, { method: 'DELETE', admin: true })).status).toBe(204);
  expect((await withKey(a, key)).status).toBe(401);
  // B trusts its cached row at most API_KEY_CACHE_TTL_MS; then it reads the revocation from Redis.
  b.clock.advance(API_KEY_CACHE_TTL_MS);
  expect((await withKey(b, key)).status).toBe(401);
  // Revoking again, from either instance, finds no live key.
  expect((await b.request(`/admin/api-keys/${id}`, { method: 'DELETE', admin: true })).status).toBe(404);
  return { id, key, prefix };
}

describe('API keys shared through a standalone Redis', () => {
  const url = requireRedisUrl();
  const reader = new Redis(url);
  afterAll(() => reader.disconnect());

  it('a key created on instance A authenticates on B; revoked on A, B refuses it within 1 s', async () => {
    const prefix = `bulwark-test:keys:${randomUUID()}:`;
    const { a, b, close } = await twoInstances({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix });
    try {
      const { id, key } = await createOnAUseOnBRevokeOnA(a, b, prefix);
      // One hash per key under the prefix and the `{api-keys}` tag: the secret's digest, never the secret.
      const row = await reader.hgetall(`${prefix}{api-keys}:key:${id}`);
      expect(row).toMatchObject({ id, name: 'scraper', scopes: '["metrics:read"]' });
      expect(row.secret_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(row.revoked_at).toMatch(/^\d{4}-/);
      const secret = key.split('.')[1] as string;
      expect(JSON.stringify(row)).not.toContain(secret);
    } finally {
      await close();
      const keys = await reader.keys(`${prefix}*`);
      if (keys.length > 0) await reader.del(...keys);
    }
  });

  it('an admin token rotated on A is refused on B within 1 s, and the new one works on B and after a restart', async () => {
    const prefix = `bulwark-test:rotation:${randomUUID()}:`;
    const { a, b, close } = await twoInstances({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix });
    let restarted: Instance | undefined;
    try {
      expect((await b.request('/admin/errors', { admin: true })).status).toBe(200);
      const rotated = await a.request('/admin/token/rotate', { method: 'POST', admin: true });
      expect(rotated.status).toBe(201);
      const { token } = (await rotated.json()) as { token: string };
      const withToken = (instance: Instance, bearer: string) =>
        instance.request('/admin/errors', { headers: { authorization: `Bearer ${bearer}` } });
      expect((await a.request('/admin/errors', { admin: true })).status).toBe(401);
      b.clock.advance(1_000);
      expect((await b.request('/admin/errors', { admin: true })).status).toBe(401);
      expect((await withToken(b, token)).status).toBe(200);
      // Durable: an instance started afterwards (a restart) honours the rotation, not ADMIN_TOKEN.
      restarted = buildTestApp({ DATA_ENCRYPTION_KEYS: KEYS, REDIS_URL: url, REDIS_KEY_PREFIX: prefix });
      expect((await restarted.request('/admin/errors', { admin: true })).status).toBe(401);
      expect((await withToken(restarted, token)).status).toBe(200);
      // Only digests are stored.
      const stored = JSON.stringify(await reader.hgetall(`${prefix}{admin-token}:rotation`));
      expect(stored).toMatch(/"current":"[0-9a-f]{64}"/);
      expect(stored).not.toContain(token);
    } finally {
      await close();
      if (restarted) for (const closer of restarted.services.closers) await closer.close();
      const keys = await reader.keys(`${prefix}*`);
      if (keys.length > 0) await reader.del(...keys);
    }
  });

  it('counts failed authentications across instances: 10 on A, the 11th on B is throttled, and A then refuses the address too', async () => {
    const prefix = `bulwark-test:throttle:${randomUUID()}:`;
    const { a, b, close } = await twoInstances({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix });
    const wrong = (instance: Instance, i: number) =>
      instance.request('/admin/errors', { headers: { authorization: `Bearer wrong-${i}` } });
    try {
      for (let i = 0; i < 10; i++) expect((await wrong(a, i)).status).toBe(401);
      const eleventh = await wrong(b, 10);
      expect(eleventh.status).toBe(429);
      expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
      // Blocked on every instance: even the right credential is not checked.
      expect((await a.request('/admin/errors', { admin: true })).status).toBe(429);
      expect((await b.request('/admin/errors', { admin: true })).status).toBe(429);
      // The block is keyed by a digest of the address, not the address.
      expect((await reader.keys(`${prefix}auth-blocked:*`))[0]).toMatch(/auth-blocked:[0-9a-f]{32}$/);
    } finally {
      await close();
      const keys = await reader.keys(`${prefix}*`);
      if (keys.length > 0) await reader.del(...keys);
    }
  });

  it('a stopped Redis answers 503 retryable to a key, never 401 or 200', async () => {
    const port = await closedPort();
    const { a, close } = await twoInstances({ REDIS_URL: `redis://127.0.0.1:${port}` }, { connected: false });
    try {
      const key = `bwk_${'A'.repeat(16)}.${'B'.repeat(43)}`;
      const refused = await withKey(a, key);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ code: 'storage_unavailable', retryable: true });
      // Creating a key fails the same way, and nothing was counted as a failed authentication.
      const create = await a.request('/admin/api-keys', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ name: 'x', scopes: ['events:read'] }),
      });
      expect(create.status).toBe(503);
      expect((await a.request('/admin/api-keys', { admin: true })).status).toBe(503);
      expect((await a.request('/admin/api-keys/abc', { method: 'DELETE', admin: true })).status).toBe(503);
      // The admin token's rotation state is in Redis too: admin credentials fail closed as well.
      expect((await a.request('/admin/errors', { admin: true })).status).toBe(503);
      // An outage is not a failed authentication: past the throttle's 10 failures, still 503, never 429.
      for (let i = 0; i < 11; i++) expect((await withKey(a, key)).status).toBe(503);
    } finally {
      await close();
    }
  });

  it('a Redis that stalls with the lookup in flight fails it at the deadline (fake time)', async () => {
    const proxy = await pausableProxy(url);
    const clock = new FakeClock(Date.UTC(2026, 11, 7));
    const client = new Redis(proxy.url, redisClientOptions());
    const prefix = `bulwark-test:keys:${randomUUID()}:`;
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      const keys = createApiKeysOver(redisApiKeyRows({ redis: client, prefix, deadlineMs: 250, timers: clock }), clock);
      const { key } = await keys.create('publisher', ['events:publish']);
      expect((await keys.verify(key))?.scopes).toEqual(['events:publish']);
      clock.advance(API_KEY_CACHE_TTL_MS); // the cached row expires: the next verify reads Redis
      proxy.pause();
      const outcome = keys.verify(key).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const revoking = keys.revoke('nope').catch((error: unknown) => error);
      clock.advance(250);
      expect(await outcome).toMatchObject({ error: { code: 'storage_unavailable', status: 503, retryable: true } });
      expect(await revoking).toMatchObject({ code: 'storage_unavailable' });
    } finally {
      proxy.close();
      client.disconnect();
      const keys = await reader.keys(`${prefix}*`);
      if (keys.length > 0) await reader.del(...keys);
    }
  });
});

describe('API keys shared through a Redis Cluster', () => {
  let admin: Cluster;
  const prefix = `rs-keys-${randomUUID().slice(0, 8)}:`;
  afterAll(async () => {
    for (const node of admin.nodes('master')) for (const key of await node.keys(`*${prefix}*`)) await admin.del(key);
    admin.disconnect();
  });

  it('a key created on instance A authenticates on B; revoked on A, B refuses it within 1 s', async () => {
    const nodes = await sharedCluster();
    const seed = `redis://${nodes[0]?.host}:${nodes[0]?.port}`;
    admin = new Cluster(nodes);
    admin.on('error', () => {});
    const { a, b, close } = await twoInstances({ REDIS_URL: seed, REDIS_CLUSTER: '1', REDIS_KEY_PREFIX: prefix });
    try {
      expect(a.services.redis?.isCluster).toBe(true);
      const { id } = await createOnAUseOnBRevokeOnA(a, b, prefix);
      // The row and the index share one slot (the create is one MULTI).
      expect(clusterSlot(`${prefix}{api-keys}:key:${id}`)).toBe(clusterSlot(`${prefix}{api-keys}:index`));
      expect(await admin.hget(`${prefix}{api-keys}:key:${id}`, 'name')).toBe('scraper');
    } finally {
      await close();
    }
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP proxy to Redis that can stop forwarding commands (a paused server, calls in flight). */
async function pausableProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets: Socket[] = [];
  let paused = false;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port || 6379), hostname);
    sockets.push(client, upstream);
    client.on('data', (chunk) => {
      if (!paused) upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const socket of [client, upstream]) socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${own}`,
    pause: () => {
      paused = true;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
