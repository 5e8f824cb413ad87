import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeadLetterQueue } from '../src/dead-letter-queue.js';
import type { RequeueSelector } from '../src/dead-letter-results.js';
import { createDeadLetterRoutes } from '../src/dead-letter-routes.js';

function fakeDlq(overrides: Partial<DeadLetterQueue> = {}) {
  const calls: RequeueSelector[] = [];
  let mirrors = 0;
  const mirrorCalls: unknown[] = [];
  const dlq: DeadLetterQueue = {
    queue: 'invoices',
    name: 'invoices-dlq',
    attach: () => () => {},
    add: async () => false,
    stats: async () => ({
      queue: 'invoices',
      deadLetterQueue: 'invoices-dlq',
      size: 2,
      byCode: { validation_failed: 2 },
      sampled: 2,
      oldestFailedAt: 1,
      takenAtMs: 5,
    }),
    requeue: async (selector) => {
      calls.push(selector);
      return { requeued: ['dl-1-1'], notFound: [], invalid: [] };
    },
    mirrorFailed: async (options) => {
      mirrors++;
      mirrorCalls.push(options);
      return { mirrored: 1, alreadyPresent: 0, scanned: 1, next: undefined };
    },
    flush: async () => {},
    close: async () => {},
    ...overrides,
  };
  return { dlq, calls, mirrors: () => mirrors, mirrorCalls };
}

const post = (path: string, body?: string, headers: Record<string, string> = {}) =>
  new Request(`http://127.0.0.1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });

describe('createDeadLetterRoutes', () => {
  it('serves stats, requeue and mirror-failed under the base path', async () => {
    const { dlq, calls, mirrors, mirrorCalls } = fakeDlq();
    const routes = createDeadLetterRoutes(dlq, { basePath: '/queue/dlq/' });
    const stats = await routes(new Request('http://127.0.0.1/queue/dlq/stats'));
    expect(stats?.status).toBe(200);
    expect(stats?.headers.get('cache-control')).toBe('no-store');
    expect(await stats?.json()).toMatchObject({ size: 2, byCode: { validation_failed: 2 } });
    for (const body of ['{"ids":["dl-1-1"]}', '{"code":"validation_failed"}', '{"all":true}']) {
      const response = await routes(post('/queue/dlq/requeue', body));
      expect(response?.status).toBe(200);
      expect(await response?.json()).toEqual({ requeued: ['dl-1-1'], notFound: [], invalid: [] });
    }
    expect(calls).toEqual([{ ids: ['dl-1-1'] }, { code: 'validation_failed' }, { all: true }]);
    expect((await routes(post('/queue/dlq/mirror-failed')))?.status).toBe(200);
    expect((await routes(post('/queue/dlq/mirror-failed', '{}')))?.status).toBe(200);
    expect((await routes(post('/queue/dlq/mirror-failed', '{"from":1000}')))?.status).toBe(200);
    expect(mirrors()).toBe(3);
    expect(mirrorCalls).toEqual([{}, {}, { from: 1000 }]);
  });

  it('leaves other paths to the host and answers 405 with Allow for a wrong method', async () => {
    const routes = createDeadLetterRoutes(fakeDlq().dlq);
    expect(await routes(new Request('http://127.0.0.1/health'))).toBeUndefined();
    expect(await routes(new Request('http://127.0.0.1/dlq/other'))).toBeUndefined();
    expect(await routes(new Request('http://127.0.0.1/dlqstats'))).toBeUndefined();
    const wrong = await routes(new Request('http://127.0.0.1/dlq/requeue'));
    expect(wrong?.status).toBe(405);
    expect(wrong?.headers.get('allow')).toBe('POST');
  });

  it('rejects bodies that are not exactly one selector with 422 and calls nothing', async () => {
    const { dlq, calls, mirrors } = fakeDlq();
    const routes = createDeadLetterRoutes(dlq);
    for (const body of [
      '{}',
      '{"ids":[]}',
      '{"ids":["a"],"code":"x"}',
      '{"all":false}',
      '{"code":"Not-A-Code"}',
      '{"all":true,"extra":1}',
      '[]',
      'null',
      '{"ids":[1]}',
      'not json',
      '{"__proto__":{"all":true}}',
    ]) {
      const response = await routes(post('/dlq/requeue', body));
      expect(response?.status, body).toBe(422);
      expect(response?.headers.get('content-type')).toBe('application/problem+json');
      expect((await response?.json())?.code).toBe('validation_failed');
    }
    for (const body of ['{"limit":5}', '{"from":-1}', '{"from":1.5}', '{"from":"10"}']) {
      expect((await routes(post('/dlq/mirror-failed', body)))?.status, body).toBe(422);
    }
    expect(calls).toEqual([]);
    expect(mirrors()).toBe(0);
  });

  it('refuses bodies over maxBodyBytes with 413, declared or streamed', async () => {
    const { dlq, calls } = fakeDlq();
    const routes = createDeadLetterRoutes(dlq, { maxBodyBytes: 64 });
    const big = JSON.stringify({ ids: ['x'.repeat(100)] });
    expect((await routes(post('/dlq/requeue', big)))?.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ids":["'));
        controller.enqueue(new TextEncoder().encode('y'.repeat(100)));
        controller.close();
      },
    });
    const streamed = new Request('http://127.0.0.1/dlq/requeue', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect((await routes(streamed))?.status).toBe(413);
    expect(calls).toEqual([]);
  });

  it('answers a failing queue with a 500 problem that reveals nothing', async () => {
    const { dlq } = fakeDlq({
      stats: async () => {
        throw new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.5:6379');
      },
    });
    const response = await createDeadLetterRoutes(dlq)(new Request('http://127.0.0.1/dlq/stats'));
    expect(response?.status).toBe(500);
    const text = await response?.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('10.0.0.5');
  });

  it('rejects invalid options, naming them', () => {
    expect(() => createDeadLetterRoutes(fakeDlq().dlq, { basePath: 'dlq' })).toThrow(/`basePath`/);
    expect(() => createDeadLetterRoutes(fakeDlq().dlq, { maxBodyBytes: 1.5 })).toThrow(/`maxBodyBytes`/);
  });

  it('never calls the queue for any body other than a valid selector (property)', async () => {
    const { dlq, calls } = fakeDlq();
    const routes = createDeadLetterRoutes(dlq);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const response = await routes(post('/dlq/requeue', JSON.stringify(value)));
        const valid =
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length === 1 &&
          response?.status === 200;
        expect(response?.status === 200 || response?.status === 422).toBe(true);
        if (!valid) expect(response?.status).toBe(422);
      }),
      { numRuns: 200 },
    );
    for (const selector of calls) expect(Object.keys(selector)).toHaveLength(1);
  });
});
