import { FakeClock } from '@bulwark/testing';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import {
  createIdempotency,
  type HttpIdempotencyOptions,
  honoIdempotency,
  type IdempotencyStore,
  withIdempotency,
} from '../src/index.js';
import { settleUntil } from './support/settle-until.js';

const URL_ = 'http://api.test/charges?x=1';

function post(key: string | undefined, body = '{"amount":100}', headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
      ...headers,
    },
  });
}

async function problem(response: Response): Promise<{ status: number; code: string; type: string | null }> {
  const body = (await response.json()) as { code: string };
  return { status: response.status, code: body.code, type: response.headers.get('content-type') };
}

function app(options: HttpIdempotencyOptions<Request> = {}, idempotencyOptions = {}) {
  let count = 0;
  const handler = vi.fn(async (request: Request) => {
    count++;
    const body = await request.text();
    return new Response(JSON.stringify({ id: `ch_${count}`, echo: body }), {
      status: 201,
      headers: {
        'content-type': 'application/json',
        location: `/charges/ch_${count}`,
        'set-cookie': 'sid=secret',
        'x-debug': '1',
      },
    });
  });
  const idempotency = createIdempotency(idempotencyOptions);
  return { fetch: withIdempotency(idempotency, handler, options), handler, idempotency };
}

describe('withIdempotency (fetch handler)', () => {
  it('runs the handler once and replays status, body and the headers that matter, marked as a replay', async () => {
    const { fetch, handler } = app();
    const first = await fetch(post('"k1"'));
    const again = await fetch(post('"k1"'));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ id: 'ch_1', echo: '{"amount":100}' });
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(again.headers.get('location')).toBe('/charges/ch_1');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(again.headers.get('x-debug')).toBeNull();
    expect(await first.json()).toEqual({ id: 'ch_1', echo: '{"amount":100}' });
  });

  it('400 idempotency_key_missing without the header, 400 idempotency_key_invalid for a bad one (problem+json)', async () => {
    const { fetch, handler } = app();
    expect(await problem(await fetch(post(undefined)))).toEqual({
      status: 400,
      code: 'idempotency_key_missing',
      type: 'application/problem+json',
    });
    for (const bad of ['k1', '""', '"a";p=1', '"a", "b"', `"${'x'.repeat(256)}"`]) {
      expect((await problem(await fetch(post(bad)))).code).toBe('idempotency_key_invalid');
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('422 idempotency_key_reused for the same key with another body, method-path or principal-free reuse', async () => {
    const { fetch } = app();
    await fetch(post('"k1"'));
    expect(await problem(await fetch(post('"k1"', '{"amount":999}')))).toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    });
    const otherPath = new Request('http://api.test/refunds', {
      method: 'POST',
      body: '{"amount":100}',
      headers: { 'idempotency-key': '"k1"' },
    });
    expect((await problem(await fetch(otherPath))).code).toBe('idempotency_key_reused');
  });

  it('409 idempotency_request_in_progress (with Retry-After) while the first request runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const fetch = withIdempotency(createIdempotency(), async () => {
      started = true;
      await gate;
      return new Response('done', { status: 200 });
    });
    const first = fetch(post('"k"'));
    await settleUntil(() => started);
    const concurrent = await fetch(post('"k"'));
    expect(await problem(concurrent.clone())).toMatchObject({ status: 409, code: 'idempotency_request_in_progress' });
    expect(concurrent.headers.get('retry-after')).toBe('1');
    release();
    expect(await (await first).text()).toBe('done');
  });

  it('wait (opt-in): a concurrent request waits and gets the replay instead of 409', async () => {
    const clock = new FakeClock(0);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const fetch = withIdempotency(
      createIdempotency({ clock, timers: clock }),
      async () => {
        runs++;
        await gate;
        return new Response('done', { status: 201 });
      },
      { wait: { timeoutMs: 5_000, pollMs: 50 } },
    );
    const first = fetch(post('"w"'));
    await settleUntil(() => runs === 1);
    const second = fetch(post('"w"'));
    await settleUntil(() => clock.pendingTimers === 2); // the first's lock timer, the second's poll
    release();
    await first;
    await clock.advanceAsync(50);
    const replay = await second;
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('100 concurrent requests with one key: the handler runs once, the others get 409 or the replay', async () => {
    let runs = 0;
    const fetch = withIdempotency(createIdempotency(), async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 0));
      return new Response('once', { status: 201 });
    });
    const responses = await Promise.all(Array.from({ length: 100 }, () => fetch(post('"same"'))));
    expect(runs).toBe(1);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = responses.filter((r) => r.status === 201);
    expect(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
  });

  it('a 5xx is not stored (a retry re-executes); 2xx and 4xx are, except 408/409/425/429', async () => {
    const statuses = [500, 201, 400, 429, 408, 503];
    for (const status of statuses) {
      let runs = 0;
      const fetch = withIdempotency(createIdempotency(), () => {
        runs++;
        return new Response(`r${runs}`, { status });
      });
      await fetch(post('"k"'));
      const retry = await fetch(post('"k"'));
      const stored = status < 500 && ![408, 409, 425, 429].includes(status);
      expect({ status, runs, replayed: retry.headers.get('idempotent-replayed') }).toEqual({
        status,
        runs: stored ? 1 : 2,
        replayed: stored ? 'true' : null,
      });
    }
  });

  it('a handler that throws releases the key and rethrows; the retry runs', async () => {
    let runs = 0;
    const fetch = withIdempotency(createIdempotency(), () => {
      runs++;
      if (runs === 1) throw new Error('crash');
      return new Response('ok');
    });
    await expect(fetch(post('"k"'))).rejects.toThrow('crash');
    expect((await fetch(post('"k"'))).status).toBe(200);
    expect(runs).toBe(2);
  });

  it('passes unguarded methods and, with required: false, requests without a key', async () => {
    const { fetch, handler } = app({ required: false });
    expect((await fetch(new Request(URL_))).status).toBe(201);
    expect((await fetch(post(undefined))).status).toBe(201);
    expect((await fetch(post(undefined))).headers.get('idempotent-replayed')).toBeNull();
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it('reads neither the URL nor the signal of a request without a key (on @hono/node-server, `signal` builds a whole Request)', async () => {
    const { fetch } = app({ required: false });
    const reads: PropertyKey[] = [];
    const watched = (request: Request): Request =>
      new Proxy(request, {
        get(target, property) {
          if (property === 'signal' || property === 'url') reads.push(property);
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    expect((await fetch(watched(post(undefined)))).status).toBe(201);
    expect(reads).toEqual([]);
    expect((await fetch(watched(post('"k-lazy"')))).status).toBe(201);
    expect(reads).toEqual(expect.arrayContaining(['url', 'signal']));
  });

  it('scopes keys by principal', async () => {
    const { fetch, handler } = app({ principal: (r) => r.headers.get('x-client') ?? undefined });
    await fetch(post('"k"', undefined, { 'x-client': 'a' }));
    await fetch(post('"k"', undefined, { 'x-client': 'b' }));
    expect((await fetch(post('"k"', undefined, { 'x-client': 'a' }))).headers.get('idempotent-replayed')).toBe('true');
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("fingerprint: 'json' replays a body whose members are reordered; 'raw' refuses it", async () => {
    const json = app({ fingerprint: 'json' });
    await json.fetch(post('"k"', '{"a":1,"b":2}'));
    expect((await json.fetch(post('"k"', '{ "b": 2, "a": 1 }'))).headers.get('idempotent-replayed')).toBe('true');
    const raw = app();
    await raw.fetch(post('"k"', '{"a":1,"b":2}'));
    expect((await raw.fetch(post('"k"', '{"b":2,"a":1}'))).status).toBe(422);
  });

  it('fingerprint as a function: only the selected part of the request must match', async () => {
    const { fetch, handler } = app({
      fingerprint: async (request) => {
        const { amount } = (await request.clone().json()) as { amount: number };
        return String(amount);
      },
    });
    await fetch(post('"k"', '{"amount":1,"sentAt":"10:00"}'));
    expect((await fetch(post('"k"', '{"amount":1,"sentAt":"10:05"}'))).headers.get('idempotent-replayed')).toBe('true');
    expect((await fetch(post('"k"', '{"amount":2,"sentAt":"10:05"}'))).status).toBe(422);
    expect(handler).toHaveBeenCalledTimes(1);
    const broken = app({ fingerprint: () => 42 as unknown as string });
    await expect(broken.fetch(post('"k"'))).rejects.toThrow(/`fingerprint`/);
  });

  it('adds the documentation link to errors and does not store bodies over maxBodyBytes', async () => {
    const { fetch, handler } = app({ docsUrl: 'https://docs.test/idempotency', maxBodyBytes: 10 });
    expect((await fetch(post(undefined))).headers.get('link')).toBe(
      '<https://docs.test/idempotency>; rel="describedby"',
    );
    await fetch(post('"k"'));
    await fetch(post('"k"'));
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('a stalled store answers 503 idempotency_store_unavailable within the deadline; the handler never runs', async () => {
    const clock = new FakeClock(0);
    const store: IdempotencyStore = {
      name: 'stalled',
      begin: () => new Promise(() => {}),
      complete: async () => false,
      release: async () => {},
    };
    const handler = vi.fn(() => new Response('never'));
    const fetch = withIdempotency(createIdempotency({ store, deadlineMs: 250, clock, timers: clock }), handler);
    const pending = fetch(post('"k"'));
    await settleUntil(() => clock.pendingTimers === 1);
    await clock.advanceAsync(250);
    const response = await pending;
    expect(await problem(response.clone())).toMatchObject({ status: 503, code: 'idempotency_store_unavailable' });
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('honoIdempotency', () => {
  function honoApp() {
    const app = new Hono();
    app.onError((_error, c) => c.text('internal error', 500));
    let runs = 0;
    app.post('/charges', honoIdempotency(createIdempotency()), async (c) => {
      runs++;
      if ((await c.req.text()) === 'boom') throw new Error('boom');
      c.header('location', `/charges/${runs}`);
      return c.json({ runs }, 201);
    });
    return { app, runs: () => runs };
  }

  it('replays the stored response with Idempotent-Replayed, refuses reuse with 422, answers 400 without a key', async () => {
    const { app, runs } = honoApp();
    const init = (body: string, key?: string) => ({
      method: 'POST',
      body,
      headers: key ? { 'idempotency-key': key } : {},
    });
    const first = await app.request('/charges', init('a', '"k"'));
    const again = await app.request('/charges', init('a', '"k"'));
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ runs: 1 });
    expect(again.headers.get('location')).toBe('/charges/1');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await app.request('/charges', init('b', '"k"'))).status).toBe(422);
    expect((await app.request('/charges', init('a'))).status).toBe(400);
    expect(runs()).toBe(1);
  });

  it('a handler that throws yields the 500 error response, which is not stored', async () => {
    const { app, runs } = honoApp();
    const init = { method: 'POST', body: 'boom', headers: { 'idempotency-key': '"k"' } };
    expect((await app.request('/charges', init)).status).toBe(500);
    expect((await app.request('/charges', init)).status).toBe(500);
    expect(runs()).toBe(2);
  });
});
