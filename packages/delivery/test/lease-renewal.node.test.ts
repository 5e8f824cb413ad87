import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { FakeClock } from '@bulwark/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher, type DeliveryStore, type Dispatcher, type Transport } from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { recordingMetrics } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const LEASE = 15_000;

let store: DeliveryStore;
let dispatcher: Dispatcher;
afterEach(async () => {
  await dispatcher?.close({ deadlineMs: 0 });
  await store?.close();
});

/** A receiver that answers 200 after `answerAfterMs` of fake time (or when the attempt is aborted, rejects). */
function slowTransport(
  clock: FakeClock,
  answerAfterMs: number,
): Transport & { aborted: unknown[]; calls: Array<{ body: string }> } {
  const aborted: unknown[] = [];
  const calls: Array<{ body: string }> = [];
  return {
    mode: 'real',
    aborted,
    calls,
    async close() {},
    send: (request) =>
      new Promise((resolve, reject) => {
        calls.push({ body: request.body });
        const timer = clock.setTimeout(() => resolve({ status: 200, retryAfter: null, body: 'ok' }), answerAfterMs);
        request.signal?.addEventListener('abort', () => {
          clock.clearTimeout(timer);
          aborted.push(request.signal?.reason);
          reject(request.signal?.reason);
        });
      }),
  };
}

async function start(answerAfterMs: number) {
  const clock = new FakeClock(T0);
  const transport = slowTransport(clock, answerAfterMs);
  const metrics = recordingMetrics();
  store = createSqliteStore({ path: ':memory:' });
  dispatcher = createDispatcher({ store, transport, clock, timers: clock, metrics, leaseMs: LEASE, policies: {} });
  const outcomes: string[] = [];
  dispatcher.on('attempt', (event) => outcomes.push(event.outcome));
  await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', timeoutMs: 60_000 });
  dispatcher.start();
  const { deliveryIds } = await dispatcher.publish({ type: 'a', payload: 1 });
  await vi.waitFor(() => expect(transport.calls).toHaveLength(1)); // signed and sent: its fake-time answer is armed
  return { clock, transport, metrics, outcomes, id: deliveryIds[0] as string };
}

/** What another worker, whose clock is 1 ms ahead, would get if it claimed now. */
const steal = (clock: FakeClock) => store.claim({ now: clock.now() + 1, leaseMs: LEASE, limit: 10 });

describe('lease renewal', () => {
  it('defaults to a short lease (15 s), and rejects one too short to renew', () => {
    expect(resolveOptions({ store: {} as DeliveryStore }).leaseMs).toBe(15_000);
    for (const leaseMs of [0, 2, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveOptions({ store: {} as DeliveryStore, leaseMs })).toThrow('`leaseMs`');
    }
  });

  it('renews the lease every leaseMs / 3 while an attempt runs past it: no other worker can claim it', async () => {
    const { clock, outcomes, id } = await start(50_000);
    for (let t = 0; t < 49_000; t += 1_000) {
      await clock.advanceAsync(1_000);
      expect(await steal(clock)).toEqual([]);
    }
    await clock.advanceAsync(1_000);
    await dispatcher.idle();
    expect(outcomes).toEqual(['succeeded']);
    expect(await store.getDelivery(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('aborts an attempt whose lease the store reports lost, and commits nothing for it', async () => {
    const { clock, transport, metrics, outcomes, id } = await start(50_000);
    const renew = store.renew.bind(store);
    store.renew = async () => {
      throw new Error('store unreachable');
    };
    const errors: unknown[] = [];
    dispatcher.on('error', (error) => errors.push(error));
    await clock.advanceAsync(LEASE - 1);
    const [stolen] = await steal(clock); // the lease expired while renewals failed: another worker takes it
    expect(stolen?.id).toBe(id);
    expect(errors.length).toBeGreaterThan(0);
    store.renew = renew; // the store is back: the next renewal says the lease is gone
    await clock.advanceAsync(LEASE / 3);
    await vi.waitFor(() => expect(transport.aborted).toHaveLength(1));
    await dispatcher.idle();
    expect(transport.aborted).toEqual([expect.objectContaining({ name: 'LeaseLost' })]);
    expect(metrics.counters.get('webhook.lease_lost')).toBe(1);
    expect(outcomes).toEqual([]);
    expect(await store.listAttempts(id)).toEqual([]);
    // The new holder's lease is intact and its completion is the one that counts.
    const done = {
      status: 'succeeded' as const,
      nextAt: clock.now(),
      attempt: null,
      lastError: null,
      now: clock.now(),
    };
    expect(await store.complete(id, stolen!.leaseToken, done)).toBe(true);
  });

  it('fences a result that arrives after the lease was lost: not recorded, not reported as sent', async () => {
    const { clock, metrics, outcomes, id } = await start(20_000);
    store.renew = async () => {
      throw new Error('store unreachable'); // renewals fail; the attempt goes on
    };
    await clock.advanceAsync(LEASE - 1);
    const [stolen] = await steal(clock);
    expect(stolen?.id).toBe(id);
    await clock.advanceAsync(5_001); // the answer arrives at 20 s
    await dispatcher.idle();
    expect(metrics.counters.get('webhook.sent.real')).toBeUndefined();
    expect(outcomes).toEqual([]);
    expect(await store.getDelivery(id)).toMatchObject({ status: 'inflight', attempts: 0 });
  });

  it('never starts a queued delivery whose lease was reported lost', async () => {
    const clock = new FakeClock(T0);
    const transport = slowTransport(clock, 10_000);
    const metrics = recordingMetrics();
    store = createSqliteStore({ path: ':memory:' });
    dispatcher = createDispatcher({
      store,
      transport,
      metrics,
      clock,
      timers: clock,
      leaseMs: LEASE,
      concurrency: 1,
      policies: {},
    });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', timeoutMs: 60_000 });
    await dispatcher.publish({ type: 'a', payload: 1 });
    clock.advance(1); // claims hand out the older first
    const { deliveryIds } = await dispatcher.publish({ type: 'a', payload: 2 });
    const queued = deliveryIds[0] as string;
    const renew = store.renew.bind(store);
    store.renew = async (leases, until) =>
      renew(
        leases.filter((l) => l.id !== queued),
        until,
      ); // its lease is gone
    dispatcher.start();
    await vi.waitFor(() => expect(transport.calls).toHaveLength(1)); // both claimed, the first started
    await clock.advanceAsync(LEASE / 3); // the first renewal leaves the queued lease out
    await vi.waitFor(() => expect(metrics.counters.get('webhook.lease_lost')).toBe(1));
    await clock.advanceAsync(10_000 - LEASE / 3); // the first attempt ends; the queued one must not start
    await dispatcher.idle();
    const sent = transport.calls.map((call) => JSON.parse(call.body).data);
    expect(sent).toEqual([1]);
    expect(await store.getDelivery(queued)).toMatchObject({ status: 'inflight', attempts: 0 });
  });
});
