import { FakeClock } from '@bulwark/testing';
import { freePort, type OwnRedis, startOwnRedis } from '@bulwark/testing/own-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, isDeliveryError } from '../src/index.js';
import { createRedisStore } from '../src/redis.js';
import type { DeliveryStore } from '../src/store.js';
import { delivery } from './store-conformance.js';

const DEADLINE = 250;
const T0 = 1_700_000_000_000;

/** Lets real I/O (connection attempts, replies) run between fake-time steps. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Settles `calls` after the fake clock passes the deadline; each must fail closed, typed and retryable. */
async function expectFailClosed(clock: FakeClock, calls: ReadonlyArray<Promise<unknown>>, codes: readonly string[]) {
  const settled = calls.map((call) =>
    call.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  let done = 0;
  for (const s of settled) void s.then(() => done++);
  for (let i = 0; i < 10; i++) await tick(); // every call has reached the store and armed its deadline
  clock.advance(DEADLINE - 1);
  await tick();
  expect(done).toBe(0); // nothing settles early with a wrong answer
  clock.advance(1);
  for (const outcome of await Promise.all(settled)) {
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(isDeliveryError(error)).toBe(true);
    expect(codes).toContain((error as { code: string }).code);
    expect((error as { retryable: boolean }).retryable).toBe(true);
  }
}

function inFlight(store: DeliveryStore): Promise<unknown>[] {
  return [
    store.enqueue([delivery(1)]),
    store.claim({ now: T0, leaseMs: 1_000, limit: 10 }),
    store.complete('x', 'y', { status: 'succeeded', nextAt: T0, attempt: null, lastError: null, now: T0 }),
    store.renew([{ id: 'x', leaseToken: 'y' }], T0),
    store.counts(),
    store.listEndpoints(),
  ];
}

describe('Redis store: every call fails closed within `deadlineMs`', () => {
  it('rejects calls, and publish(), when nothing listens on the port (no 30 s client queue)', async () => {
    const clock = new FakeClock(T0);
    const url = `redis://127.0.0.1:${await freePort()}`;
    const store = createRedisStore({ connection: url, deadlineMs: DEADLINE, timers: clock });
    await expectFailClosed(clock, inFlight(store), ['delivery_store_timeout']);
    const dispatcher = createDispatcher({ store, real: false, clock, timers: clock });
    await expectFailClosed(clock, [dispatcher.publish({ type: 'a', payload: 1 })], ['delivery_store_timeout']);
    await dispatcher.close();
    await store.close();
    await expect(store.counts()).rejects.toMatchObject({ code: 'delivery_store_unavailable', retryable: true });
  });

  it('rejects the option when it is not a finite number >= 1', () => {
    for (const deadlineMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => createRedisStore({ connection: 'redis://127.0.0.1:1', deadlineMs })).toThrow('`deadlineMs`');
    }
  });

  describe('with a Redis that stalls', () => {
    let server: OwnRedis;
    let admin: Redis;
    beforeAll(async () => {
      server = await startOwnRedis();
      admin = new Redis(server.url);
      admin.on('error', () => {});
    });
    afterAll(async () => {
      admin.disconnect();
      await server.kill();
    });

    async function readyStore(clock: FakeClock): Promise<DeliveryStore> {
      const store = createRedisStore({
        connection: server.url,
        prefix: `stall:${Math.random()}`,
        deadlineMs: DEADLINE,
        timers: clock,
      });
      expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: 0, dead: 0 });
      return store;
    }

    it('fails calls in flight during DEBUG SLEEP, then answers again', async () => {
      const clock = new FakeClock(T0);
      const store = await readyStore(clock);
      const sleeping = admin.call('DEBUG', 'SLEEP', '0.3');
      await new Promise((resolve) => setTimeout(resolve, 20)); // the sleep has begun on the server
      await expectFailClosed(clock, inFlight(store), ['delivery_store_timeout']);
      await sleeping;
      expect((await store.counts()).pending).toBeGreaterThanOrEqual(0);
      await store.close();
    });

    it('fails calls in flight during CLIENT PAUSE, then answers again', async () => {
      const clock = new FakeClock(T0);
      const store = await readyStore(clock);
      await admin.call('CLIENT', 'PAUSE', '300', 'ALL');
      await expectFailClosed(clock, inFlight(store), ['delivery_store_timeout']);
      await admin.call('CLIENT', 'UNPAUSE');
      expect(await store.getDelivery('none')).toBeUndefined();
      await store.close();
    });

    it('passes an error Redis itself answered (not a connection failure) through unchanged', async () => {
      const clock = new FakeClock(T0);
      const prefix = `reply:${Math.random()}`;
      const store = createRedisStore({ connection: server.url, prefix, deadlineMs: DEADLINE, timers: clock });
      await admin.set(`{${prefix}}:counts`, 'not a hash');
      await expect(store.counts()).rejects.toMatchObject({
        name: 'ReplyError',
        message: expect.stringMatching(/WRONGTYPE/),
      });
      await store.close();
      await store.close();
    });

    it('turns a connection lost under a call into delivery_store_unavailable (a caller-owned client)', async () => {
      const clock = new FakeClock(T0);
      const client = new Redis(server.url);
      client.on('error', () => {});
      await client.ping();
      const store = createRedisStore({
        connection: client,
        prefix: `lost:${Math.random()}`,
        deadlineMs: DEADLINE,
        timers: clock,
      });
      expect(await store.requeue({ endpointId: 'ep_a', statuses: ['pending'] }, T0)).toBe(0);
      await admin.call('CLIENT', 'PAUSE', '300', 'ALL'); // no reply before the connection goes
      const pending = store.counts();
      await tick();
      client.disconnect();
      await expect(pending).rejects.toMatchObject({ code: 'delivery_store_unavailable', retryable: true });
      await store.close(); // not ours: left to its owner
    });

    it('fails calls in flight when Redis dies, and recovers after a restart', async () => {
      const clock = new FakeClock(T0);
      const store = await readyStore(clock);
      await admin.call('CLIENT', 'PAUSE', '5000', 'ALL'); // the calls are on the wire when it dies
      const calls = inFlight(store);
      await tick();
      await server.kill();
      await expectFailClosed(clock, calls, ['delivery_store_timeout', 'delivery_store_unavailable']);
      await server.start();
      await admin.ping().catch(() => undefined);
      await expect
        .poll(
          () =>
            store.counts().then(
              () => true,
              () => false,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      await store.close();
    });
  });
});
