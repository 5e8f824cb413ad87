import { describe, expect, it } from 'vitest';
import { createHealth, createHealthHandler } from '../src/index.js';

async function ready() {
  const health = createHealth({
    checks: [
      { name: 'db', check: () => true },
      {
        name: 'cache',
        critical: false,
        check: () => {
          throw new Error('redis://:s3cret@cache');
        },
      },
    ],
  });
  await health.refresh();
  return health;
}

const url = (path: string) => `http://127.0.0.1${path}`;

describe('createHealthHandler', () => {
  it('answers readiness with application/health+json, no-store and only the status', async () => {
    const handler = createHealthHandler(await ready());
    const response = handler(new Request(url('/health/readiness')));
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-type')).toBe('application/health+json');
    expect(response?.headers.get('cache-control')).toBe('no-store');
    expect(await response?.json()).toEqual({ status: 'warn' });
  });

  it('answers 503 once shutdown begins', async () => {
    const health = await ready();
    const handler = createHealthHandler(health);
    health.markShuttingDown();
    expect(handler(new Request(url('/health/readiness')))?.status).toBe(503);
    expect(handler(new Request(url('/health/liveness')))?.status).toBe(200);
  });

  it('lists checks with codes when verbose, never the thrown message', async () => {
    const handler = createHealthHandler(await ready(), { verbose: true, readinessPath: '/readyz' });
    const text = await handler(new Request(url('/readyz')))?.text();
    expect(JSON.parse(text ?? '')).toEqual({
      status: 'warn',
      shuttingDown: false,
      checks: { db: { status: 'pass' }, cache: { status: 'warn', code: 'health_check_failed' } },
    });
    expect(text).not.toContain('s3cret');
  });

  it('serves the dependencies view only on an explicit path, always 200', async () => {
    const health = await ready();
    expect(createHealthHandler(health)(new Request(url('/health/dependencies')))).toBeUndefined();
    const handler = createHealthHandler(health, { dependenciesPath: '/admin/health' });
    const response = handler(new Request(url('/admin/health')));
    expect(response?.status).toBe(200);
    expect(await response?.json()).toMatchObject({ checks: { cache: { code: 'health_check_failed' } } });
  });

  it('answers HEAD without a body, refuses other methods with 405 and ignores other paths', async () => {
    const handler = createHealthHandler(await ready());
    const head = handler(new Request(url('/health/liveness'), { method: 'HEAD' }));
    expect(head?.status).toBe(200);
    expect(await head?.text()).toBe('');
    const post = handler(new Request(url('/health/liveness'), { method: 'POST' }));
    expect(post?.status).toBe(405);
    expect(post?.headers.get('allow')).toBe('GET, HEAD');
    expect(handler(new Request(url('/health/liveness/../x')))).toBeUndefined();
    expect(handler(new Request(url('/')))).toBeUndefined();
  });
});
