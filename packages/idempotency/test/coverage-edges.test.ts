import { BulwarkError } from '@bulwark/errors';
import { FakeClock } from '@bulwark/testing';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import {
  canonicalJson,
  createIdempotency,
  honoIdempotency,
  type IdempotencyStore,
  withIdempotency,
} from '../src/index.js';
import { settleUntil } from './support/settle-until.js';

describe('edge cases', () => {
  it('canonicalJson writes undefined array items as null and drops undefined members', () => {
    expect(canonicalJson([undefined, { a: undefined, b: 1 }])).toBe('[null,{"b":1}]');
  });

  it('an abort while the store call is in flight rejects with the reason; the operation never runs', async () => {
    const clock = new FakeClock(0);
    const begin = vi.fn(() => new Promise<never>(() => {}));
    const store: IdempotencyStore = { name: 'stalled', begin, complete: vi.fn(), release: vi.fn() };
    const controller = new AbortController();
    const op = vi.fn();
    const outcome = createIdempotency({ store, clock, timers: clock })
      .run('k', op, { signal: controller.signal })
      .catch((e: unknown) => e);
    await settleUntil(() => begin.mock.calls.length === 1);
    const reason = new Error('client closed');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(op).not.toHaveBeenCalled();
    expect(clock.pendingTimers).toBe(0);
  });

  it('complete, fail and release act once: later calls are no-ops', async () => {
    const idempotency = createIdempotency();
    const claim = await idempotency.begin('k');
    if (claim.replayed) throw new Error('expected a claim');
    expect(await claim.complete(1)).toBe(true);
    expect(await claim.complete(2)).toBe(false);
    await claim.release();
    await claim.fail(new Error('late'));
    expect(await idempotency.run('k', () => 3)).toEqual({ value: 1, replayed: true });
  });

  it('rejects a principal that is not a string', async () => {
    await expect(createIdempotency().run('k', () => 1, { principal: 7 as unknown as string })).rejects.toMatchObject({
      code: 'idempotency_key_invalid',
    });
  });

  it('hono: unguarded methods and keyless requests (required: false) pass through', async () => {
    const app = new Hono();
    let runs = 0;
    app.all('/x', honoIdempotency(createIdempotency(), { required: false }), (c) => c.text(String(++runs)));
    expect(await (await app.request('/x')).text()).toBe('1');
    expect(await (await app.request('/x', { method: 'POST' })).text()).toBe('2');
  });

  it('hono: a next() that rejects releases the key and rethrows', async () => {
    const middleware = honoIdempotency(createIdempotency());
    const request = () =>
      new Request('http://x.test/a', { method: 'POST', body: 'b', headers: { 'idempotency-key': '"h"' } });
    const context = () => ({ req: { raw: request() }, res: new Response('x') });
    await expect(middleware(context(), () => Promise.reject(new Error('composer')))).rejects.toThrow('composer');
    let ran = false;
    await middleware(context(), async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('a BulwarkError without storeErrors is not stored: the retry runs', async () => {
    const idempotency = createIdempotency();
    const failure = new BulwarkError({ code: 'declined', status: 402 });
    await expect(idempotency.run('b', () => Promise.reject(failure))).rejects.toBe(failure);
    expect((await idempotency.run('b', () => 'ok')).replayed).toBe(false);
  });

  it('replays a 204 without a body', async () => {
    let runs = 0;
    const fetch = withIdempotency(createIdempotency(), () => {
      runs++;
      return new Response(null, { status: 204 });
    });
    const request = () => new Request('http://x.test/d', { method: 'POST', headers: { 'idempotency-key': '"d"' } });
    await fetch(request());
    const replay = await fetch(request());
    expect(replay.status).toBe(204);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toBeNull();
    expect(runs).toBe(1);
  });
});
