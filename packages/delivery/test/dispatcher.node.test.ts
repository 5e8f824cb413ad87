import { BrokenCircuitError } from '@bulwark/breaker';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { FakeClock } from '@bulwark/testing';
import { verifyStandardWebhook } from '@bulwark/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointRegistry } from '../src/endpoint-registry.js';
import {
  CIRCUIT_RECHECK_MS,
  createDispatcher,
  DEFAULT_RETRY_SCHEDULE,
  DeliveryError,
  type DeliveryStore,
  type Dispatcher,
  type DispatcherOptions,
  isDeliveryError,
} from '../src/index.js';
import { recordingMetrics, type Script, scriptedTransport } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

let store: DeliveryStore;
let dispatcher: Dispatcher;
afterEach(async () => {
  await dispatcher?.close({ deadlineMs: 0 });
  await store?.close();
});

function setup(script: (req: { url: string }, n: number) => Script, options: Partial<DispatcherOptions> = {}) {
  const clock = new FakeClock(T0);
  const transport = scriptedTransport(clock, script);
  const metrics = recordingMetrics();
  store = createSqliteStore({ path: ':memory:' });
  dispatcher = createDispatcher({ store, transport, clock, timers: clock, metrics, random: () => 0.5, ...options });
  const step = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await dispatcher.idle();
  };
  return { clock, transport, metrics, step };
}

/** Records how many deliveries each claim of the dispatcher's store returns, from now on. */
function recordClaims(): number[] {
  const sizes: number[] = [];
  const claim = store.claim.bind(store);
  store.claim = async (options) => {
    const claimed = await claim(options);
    sizes.push(claimed.length);
    return claimed;
  };
  return sizes;
}

describe('createDispatcher', () => {
  it('persists the outbox before publish resolves, with one stable message id per event', async () => {
    setup(() => ({}));
    await dispatcher.endpoints.create({ id: 'ep_all', url: 'https://a.example.com/hook', secret: SECRET });
    await dispatcher.endpoints.create({
      id: 'ep_inv',
      url: 'https://b.example.com/hook',
      eventTypes: ['invoice.paid'],
    });
    await dispatcher.endpoints.create({ id: 'ep_off', url: 'https://c.example.com/hook', enabled: false });
    const paid = await dispatcher.publish({ type: 'invoice.paid', payload: { id: 'in_1' } });
    const other = await dispatcher.publish({ type: 'user.created', payload: null, id: 'msg_user_1' });
    const again = await dispatcher.publish({ type: 'user.created', payload: null, id: 'msg_user_1' });
    expect(paid.deliveryIds).toEqual([`${paid.messageId}:ep_all`, `${paid.messageId}:ep_inv`]);
    expect(other.deliveryIds).toEqual(['msg_user_1:ep_all']);
    expect(again.deliveryIds).toEqual(other.deliveryIds);
    expect(await store.counts()).toEqual({ pending: 3, inflight: 0, succeeded: 0, dead: 0 });
    const stored = await store.getDelivery(`${paid.messageId}:ep_all`);
    expect(JSON.parse(stored!.payload)).toEqual({
      type: 'invoice.paid',
      timestamp: new Date(T0).toISOString(),
      data: { id: 'in_1' },
    });
  });

  it('signs each attempt (Standard Webhooks) with the message id as webhook-id and records it', async () => {
    const { transport, metrics } = setup(() => ({ status: 204, body: '' }));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', secret: SECRET });
    const { messageId } = await dispatcher.publish({ type: 'invoice.paid', payload: { n: 1 } });
    dispatcher.start();
    await dispatcher.idle();
    const [call] = transport.calls;
    expect(call?.headers['webhook-id']).toBe(messageId);
    const verified = await verifyStandardWebhook({
      headers: call!.headers,
      body: call!.body,
      secrets: SECRET,
      clock: { now: () => T0 },
    });
    expect(verified.id).toBe(messageId);
    const [inspected] = await dispatcher.inspect(messageId);
    expect(inspected).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(inspected?.history).toEqual([
      {
        deliveryId: `${messageId}:ep_1`,
        n: 1,
        at: T0,
        statusCode: 204,
        latencyMs: 0,
        response: '',
        errorCode: null,
        simulated: false,
      },
    ]);
    expect(metrics.counters.get('webhook.sent.real')).toBe(1);
    expect(metrics.observations[0]).toMatchObject({
      name: 'webhook.attempt.latency_ms',
      labels: { endpoint: 'ep_1', mode: 'real', outcome: 'success' },
    });
  });

  it('retries on the documented schedule (~22 h) and dead-letters after the last attempt', async () => {
    const { transport, metrics, step } = setup(() => ({ status: 500, body: 'boom' }));
    const deadLetters: unknown[] = [];
    dispatcher.on('deadLetter', (e) => deadLetters.push(e));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    const { messageId } = await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await dispatcher.idle();
    for (const wait of DEFAULT_RETRY_SCHEDULE) await step(wait);
    const offsets = transport.calls.map((c) => c.at - T0);
    const expected = [0];
    for (const wait of DEFAULT_RETRY_SCHEDULE) expected.push((expected.at(-1) ?? 0) + wait);
    expect(offsets).toEqual(expected);
    expect(expected.at(-1)).toBe(79_955_000); // 22 h 12 min 35 s
    expect(deadLetters).toEqual([
      expect.objectContaining({ messageId, endpointId: 'ep_1', attempts: 9, lastError: 'http_500' }),
    ]);
    expect(await dispatcher.dlq.stats()).toMatchObject({ size: 1, byEndpoint: { ep_1: 1 } });
    expect((await dispatcher.dlq.list()).map((d) => d.messageId)).toEqual([messageId]);
    expect(metrics.counters.get('webhook.error.real')).toBe(9);
    expect(metrics.counters.get('webhook.dead_letter.real')).toBe(1);
    await step(7 * 86_400_000);
    expect(transport.calls).toHaveLength(9);
  });

  it('jitters each wait by up to ±20 %', async () => {
    const { transport, step } = setup(() => ({ status: 500 }), { random: () => 0 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await dispatcher.idle();
    await step(4_000);
    expect(transport.calls.map((c) => c.at - T0)).toEqual([0, 4_000]);
  });

  it('honours Retry-After on 429 (seconds) and 503 (HTTP date), capped by maxRetryAfterMs', async () => {
    const answers: Script[] = [
      { status: 429, retryAfter: '120' },
      { status: 503, retryAfter: new Date(T0 + 120_000 + 600_000).toUTCString() },
      { status: 429, retryAfter: '999999' },
      { status: 200 },
    ];
    const { transport, metrics, step } = setup((_, n) => answers[n] ?? {}, { maxRetryAfterMs: 3_600_000 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await dispatcher.idle();
    await step(119_999);
    expect(transport.calls).toHaveLength(1);
    await step(1);
    await step(600_000);
    await step(3_600_000);
    expect(transport.calls.map((c) => c.at - T0)).toEqual([0, 120_000, 720_000, 4_320_000]);
    expect(metrics.counters.get('webhook.retry_success.real')).toBe(1);
  });

  it('disables an endpoint that answers 410 Gone and dead-letters its delivery', async () => {
    const { step } = setup(() => ({ status: 410 }));
    const disabled: unknown[] = [];
    dispatcher.on('endpointDisabled', (e) => disabled.push(e));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await step(0);
    expect(disabled).toEqual([{ endpointId: 'ep_1', reason: 'gone', at: T0 }]);
    expect(await dispatcher.endpoints.get('ep_1')).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect((await dispatcher.stats()).dead).toBe(1);
    expect((await dispatcher.publish({ type: 'a', payload: 2 })).deliveryIds).toEqual([]);
  });

  it('auto-disables an endpoint failing for autoDisableAfterMs; later deliveries go to the DLQ', async () => {
    const { step, metrics } = setup(() => ({ status: 500 }), { autoDisableAfterMs: 3_600_000 });
    const disabled: Array<{ reason: string; at: number }> = [];
    dispatcher.on('endpointDisabled', (e) => disabled.push(e));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await dispatcher.idle();
    expect((await store.getEndpoint('ep_1'))?.failingSince).toBe(T0);
    for (const wait of DEFAULT_RETRY_SCHEDULE.slice(0, 5)) await step(wait);
    expect(disabled).toEqual([expect.objectContaining({ endpointId: 'ep_1', reason: 'failing', at: T0 + 4_355_000 })]);
    await dispatcher.stats();
    expect(metrics.gauges.get('webhook.endpoint.state{ep_1}')).toBe(0);
    await step(3 * 3_600_000);
    expect(await dispatcher.dlq.stats()).toMatchObject({ size: 1 });
    expect((await dispatcher.dlq.list())[0]?.lastError).toBe('delivery_endpoint_disabled');
    await dispatcher.endpoints.enable('ep_1');
    expect((await store.getEndpoint('ep_1'))?.failingSince).toBeNull();
  });

  it('requeues the DLQ by ids or endpoint, and redelivers a message', async () => {
    let healthy = false;
    const { transport, step } = setup(() => (healthy ? {} : { status: 500 }), { retrySchedule: [] });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.endpoints.create({ id: 'ep_2', url: 'https://b.example.com/hook' });
    const m1 = await dispatcher.publish({ type: 'a', payload: 1 });
    const m2 = await dispatcher.publish({ type: 'a', payload: 2 });
    dispatcher.start();
    await step(0);
    expect((await dispatcher.dlq.stats()).size).toBe(4);
    healthy = true;
    expect(await dispatcher.dlq.requeue([`${m1.messageId}:ep_1`])).toBe(1);
    await step(0);
    expect(await dispatcher.dlq.requeue({ endpointId: 'ep_2' })).toBe(2);
    await step(0);
    expect(await dispatcher.dlq.requeue({})).toBe(1);
    await step(0);
    expect(await dispatcher.stats()).toMatchObject({ succeeded: 4, dead: 0, dlq: { size: 0 } });
    const before = transport.calls.length;
    expect(await dispatcher.redeliver(m2.messageId)).toBe(2);
    await step(0);
    expect(transport.calls.length).toBe(before + 2);
    expect((await dispatcher.inspect(m2.messageId))[0]?.history.map((a) => a.statusCode)).toEqual([500, 200, 200]);
    await expect(dispatcher.redeliver('msg_nope')).rejects.toMatchObject({ code: 'delivery_message_not_found' });
  });

  it('isolates endpoints: a hanging receiver does not delay a healthy one', async () => {
    const { clock, transport } = setup((req) => (req.url.includes('slow') ? 'hang' : {}), { concurrency: 4 });
    const flush = async (ms = 0): Promise<void> => {
      await clock.advanceAsync(ms);
      for (let i = 0; i < 5; i++) await clock.advanceAsync(0);
    };
    await dispatcher.endpoints.create({ id: 'slow', url: 'https://slow.example.com/hook', timeoutMs: 10_000 });
    await dispatcher.endpoints.create({ id: 'fast', url: 'https://fast.example.com/hook' });
    for (let i = 0; i < 10; i++) await dispatcher.publish({ type: 'a', payload: i });
    dispatcher.start();
    await flush();
    const fast = transport.calls.filter((c) => c.url.includes('fast'));
    expect(fast.map((c) => c.at)).toEqual(Array(10).fill(T0));
    expect((await store.listDeliveries({ endpointId: 'fast', status: 'succeeded' })).length).toBe(10);
    expect(transport.calls.filter((c) => c.url.includes('slow')).length).toBe(2); // maxInflightPerEndpoint
    // Timeouts open the breaker: over 300 s the slow endpoint sees a trial every ~40 s instead of
    // 2 calls every 10 s (60), and the fast endpoint is still served immediately.
    for (let i = 0; i < 30; i++) {
      await flush(10_000);
      if (i === 15) await dispatcher.publish({ type: 'a', payload: 'late' });
    }
    const slowCalls = transport.calls.filter((c) => c.url.includes('slow')).length;
    const lateFast = transport.calls.filter((c) => c.url.includes('fast')).at(-1);
    expect(lateFast?.at).toBe(T0 + 160_000);
    const slow = await store.listDeliveries({ endpointId: 'slow', limit: 100 });
    expect(slow.reduce((n, d) => n + d.attempts, 0)).toBeGreaterThanOrEqual(slowCalls - 2); // up to 2 still in flight
    expect(slowCalls).toBeLessThanOrEqual(15);
  });

  it('re-checks a refusing circuit within CIRCUIT_RECHECK_MS even when it hints a longer wait', async () => {
    let refuse = true;
    const { transport, step } = setup(() => ({ status: 204 }), {
      policies: {
        circuit: () => ({
          execute: async (fn) => {
            if (refuse)
              throw new BrokenCircuitError({ breaker: 'test', reason: 'half_open_full', retryAfterMs: 60_000 });
            return fn(new AbortController().signal);
          },
        }),
      },
    });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', secret: SECRET });
    const { deliveryIds } = await dispatcher.publish({ type: 'x', payload: {} });
    dispatcher.start();
    await dispatcher.idle();
    expect(transport.calls).toHaveLength(0);
    const deferred = await store.getDelivery(deliveryIds[0] as string);
    expect(deferred).toMatchObject({ status: 'pending', attempts: 0, nextAt: T0 + CIRCUIT_RECHECK_MS });
    refuse = false;
    await step(CIRCUIT_RECHECK_MS);
    expect(transport.calls).toHaveLength(1);
    expect((await store.getDelivery(deliveryIds[0] as string))?.status).toBe('succeeded');
  });

  it('applies the endpoint rate limit without spending attempts', async () => {
    const { transport, step } = setup(() => ({}));
    await dispatcher.endpoints.create({
      id: 'ep_1',
      url: 'https://a.example.com/hook',
      rateLimit: { limit: 2, intervalMs: 1_000 },
    });
    for (let i = 0; i < 5; i++) await dispatcher.publish({ type: 'a', payload: i });
    dispatcher.start();
    await step(0);
    expect(transport.calls).toHaveLength(2);
    await step(1_000);
    await step(1_000);
    await step(1_000);
    expect(transport.calls).toHaveLength(5);
    const counts = await store.listDeliveries({ endpointId: 'ep_1' });
    expect(counts.map((d) => d.attempts)).toEqual([1, 1, 1, 1, 1]);
  });

  it('close({ deadlineMs }) stops claiming and hands back leases still in flight', async () => {
    const { clock, transport } = setup(() => 'hang');
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', timeoutMs: 60_000 });
    const { messageId } = await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await clock.advanceAsync(0);
    expect(transport.calls).toHaveLength(1);
    const closing = dispatcher.close({ deadlineMs: 5_000 });
    await clock.advanceAsync(5_000);
    await closing;
    const [d] = await dispatcher.inspect(messageId);
    expect(d).toMatchObject({ status: 'pending', attempts: 0, nextAt: T0 + 5_000 });
    await expect(dispatcher.publish({ type: 'a', payload: 1 })).rejects.toMatchObject({ code: 'delivery_closed' });
    expect(() => dispatcher.start()).toThrow(DeliveryError);
  });

  it('close() lets a fast attempt finish', async () => {
    const { clock } = setup(() => ({}));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    const closing = dispatcher.close();
    await clock.advanceAsync(0);
    await closing;
    expect((await store.counts()).succeeded).toBe(1);
  });

  it('rotates secrets: both sign during the overlap, then only the new one', async () => {
    const { transport, step } = setup(() => ({}));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', secret: SECRET });
    const { secret } = await dispatcher.endpoints.rotateSecret('ep_1', { overlapMs: 60_000 });
    expect(secret).toMatch(/^whsec_/);
    dispatcher.start();
    await dispatcher.publish({ type: 'a', payload: 1 });
    await step(0);
    await step(60_000);
    await dispatcher.publish({ type: 'a', payload: 2 });
    await step(0);
    const [during, after] = transport.calls;
    expect(during?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(after?.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    for (const s of [SECRET, secret]) {
      await expect(
        verifyStandardWebhook({ headers: during!.headers, body: during!.body, secrets: s, clock: { now: () => T0 } }),
      ).resolves.toBeTruthy();
    }
    await expect(
      verifyStandardWebhook({
        headers: after!.headers,
        body: after!.body,
        secrets: SECRET,
        clock: { now: () => T0 + 60_000 },
      }),
    ).rejects.toThrow();
    expect((await dispatcher.endpoints.get('ep_1')).secretCount).toBe(2);
  });

  it('dead-letters deliveries of deleted or disabled endpoints, and refused egress at once', async () => {
    const { step } = setup((req) =>
      req.url.includes('bad') ? new (class extends DeliveryError {})('delivery_egress_refused') : {},
    );
    await dispatcher.endpoints.create({ id: 'gone', url: 'https://a.example.com/hook' });
    await dispatcher.endpoints.create({ id: 'off', url: 'https://b.example.com/hook' });
    await dispatcher.endpoints.create({ id: 'bad', url: 'https://bad.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    await dispatcher.endpoints.delete('gone');
    await dispatcher.endpoints.disable('off');
    dispatcher.start();
    await step(1_000);
    const dead = await dispatcher.dlq.list();
    expect(dead.map((d) => [d.endpointId, d.lastError])).toEqual(
      [
        [expect.stringMatching(/bad/), 'delivery_egress_refused'],
        ['gone', 'delivery_endpoint_not_found'],
        ['off', 'delivery_endpoint_disabled'],
      ].sort(),
    );
  });

  it('reads the endpoints once for a burst of publishes and attempts after the cache expired', async () => {
    const { clock, step } = setup(() => ({}));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    const reads = { list: 0, get: 0 };
    const [list, get] = [store.listEndpoints.bind(store), store.getEndpoint.bind(store)];
    store.listEndpoints = () => {
      reads.list++;
      return list();
    };
    store.getEndpoint = (id) => {
      reads.get++;
      return get(id);
    };
    dispatcher.start();
    await step(0);
    clock.advance(60_000); // past endpointCacheMs: both caches expired
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => dispatcher.publish({ type: 'order.created', payload: { i } })),
    );
    await step(0);
    expect(reads).toEqual({ list: 1, get: 1 });
  });

  it('keeps no failed endpoint read: the next caller reads the store again', async () => {
    const { clock } = setup(() => ({}));
    const registry = new EndpointRegistry(store, clock, recordingMetrics(), 1_000, 0);
    const [list, get] = [store.listEndpoints.bind(store), store.getEndpoint.bind(store)];
    let down = true;
    store.listEndpoints = async () => (down ? Promise.reject(new Error('store down')) : list());
    store.getEndpoint = async (id) => (down ? Promise.reject(new Error('store down')) : get(id));
    await expect(Promise.all([registry.all(), registry.all()])).rejects.toThrow('store down');
    await expect(Promise.all([registry.cached('ep_1'), registry.cached('ep_1')])).rejects.toThrow('store down');
    down = false;
    expect(await registry.all()).toEqual([]);
    expect(await registry.cached('ep_1')).toBeUndefined();
  });

  it('a publish after an endpoint is created sees it while a read begun before is still in flight', async () => {
    setup(() => ({}));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    const list = store.listEndpoints.bind(store);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = true;
    store.listEndpoints = async () => {
      const records = await list();
      if (first) {
        first = false;
        await gate;
      }
      return records;
    };
    await dispatcher.endpoints.update('ep_1', { url: 'https://a2.example.com/hook' }); // drops the cached list
    const before = dispatcher.publish({ type: 'order.created', payload: {}, id: 'msg_before' });
    await new Promise((resolve) => setImmediate(resolve));
    await dispatcher.endpoints.create({ id: 'ep_2', url: 'https://b.example.com/hook' });
    const after = await dispatcher.publish({ type: 'order.created', payload: {}, id: 'msg_after' });
    release();
    expect((await before).deliveryIds).toEqual(['msg_before:ep_1']);
    expect(after.deliveryIds).toEqual(['msg_after:ep_1', 'msg_after:ep_2']);
  });
});

describe('createDispatcher validation', () => {
  it('rejects invalid endpoints and events with typed errors naming the field', async () => {
    setup(() => ({}));
    const bad = await dispatcher.endpoints.create({ url: 'ftp://x' }).catch((e: unknown) => e);
    expect(isDeliveryError(bad) && bad.code).toBe('delivery_invalid_endpoint');
    expect((bad as DeliveryError).detail).toMatch(/^url:/);
    await expect(dispatcher.endpoints.create({ url: 'https://a.example.com', secret: 'nope' })).rejects.toMatchObject({
      code: 'delivery_invalid_endpoint',
    });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com' });
    await expect(dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com' })).rejects.toMatchObject({
      code: 'delivery_invalid_endpoint',
    });
    await expect(dispatcher.endpoints.update('ep_1', { timeoutMs: 5 })).rejects.toMatchObject({
      code: 'delivery_invalid_endpoint',
    });
    await expect(dispatcher.endpoints.get('nope')).rejects.toMatchObject({ code: 'delivery_endpoint_not_found' });
    await expect(dispatcher.endpoints.delete('nope')).rejects.toMatchObject({ code: 'delivery_endpoint_not_found' });
    await expect(dispatcher.publish({ type: '', payload: 1 })).rejects.toMatchObject({
      code: 'delivery_invalid_event',
    });
    await expect(dispatcher.publish({ type: 'a', payload: 1n })).rejects.toMatchObject({
      code: 'delivery_invalid_event',
    });
    expect(await dispatcher.endpoints.update('ep_1', { eventTypes: ['x'] })).toMatchObject({ eventTypes: ['x'] });
    expect((await dispatcher.endpoints.list()).map((e) => e.id)).toEqual(['ep_1']);
  });

  it('claims in batches: prefetched deliveries wait here for a slot instead of one claim per completion', async () => {
    const { clock, transport } = setup(() => ({}), { concurrency: 2, maxInflightPerEndpoint: 2, prefetch: 4 });
    const claims = recordClaims();
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    for (let i = 0; i < 12; i++) await dispatcher.publish({ type: 'a', payload: i });
    dispatcher.start();
    await clock.advanceAsync(0);
    await dispatcher.idle();
    expect(transport.calls).toHaveLength(12);
    expect((await store.counts()).succeeded).toBe(12);
    // The endpoint's share leased up front (2 slots + 2 queued: never more than
    // maxInflightPerEndpoint queued on top of its attempts), then refilled as the queue runs low,
    // each refill only what the share has room for (a place frees per completion).
    expect(claims[0]).toBe(4);
    expect(Math.max(...claims.slice(1))).toBeLessThanOrEqual(2);
    expect(claims.reduce((a, b) => a + b, 0)).toBe(12);
    expect(claims.filter((n) => n > 0).length).toBeLessThan(12);
  });

  it('hands a publish straight to a running worker with room: leased at insert, no claim', async () => {
    const { clock, transport } = setup(() => ({}), { concurrency: 2, maxInflightPerEndpoint: 2, prefetch: 1 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    dispatcher.start();
    await clock.advanceAsync(0);
    const claims = recordClaims();
    const published = await Promise.all([1, 2, 3, 4, 5].map((i) => dispatcher.publish({ type: 'a', payload: i })));
    const again = await dispatcher.publish({ type: 'a', payload: 1, id: published[0]!.messageId });
    expect(again.deliveryIds).toEqual(published[0]!.deliveryIds);
    await clock.advanceAsync(0);
    await dispatcher.idle();
    expect(transport.calls).toHaveLength(5); // the duplicate publish is not sent again
    expect(claims.reduce((a, b) => a + b, 0)).toBe(2); // 3 handed over (2 slots + 1 prefetched); the other 2 claimed
    expect((await store.counts()).succeeded).toBe(5);
  });

  it('releases the reservation when the insert fails; close() lets a publish already writing finish', async () => {
    const { clock, transport } = setup(() => ({}), { concurrency: 1, maxInflightPerEndpoint: 1, prefetch: 0 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    dispatcher.start();
    const enqueue = store.enqueue.bind(store);
    store.enqueue = async () => {
      throw new Error('disk full');
    };
    await expect(dispatcher.publish({ type: 'a', payload: 1 })).rejects.toThrow('disk full');
    store.enqueue = enqueue;
    const { messageId } = await dispatcher.publish({ type: 'a', payload: 2 });
    await clock.advanceAsync(0);
    await dispatcher.idle();
    expect(transport.calls).toHaveLength(1); // the failed publish left no reservation behind
    store.enqueue = async (deliveries, lease) => {
      const inserted = await enqueue(deliveries, lease);
      void dispatcher.close({ deadlineMs: 1_000 });
      return inserted;
    };
    const late = await dispatcher.publish({ type: 'a', payload: 3 });
    await clock.advanceAsync(0);
    expect(transport.calls).toHaveLength(2);
    expect((await dispatcher.inspect(late.messageId))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect((await dispatcher.inspect(messageId))[0]).toMatchObject({ status: 'succeeded' });
    await expect(dispatcher.publish({ type: 'a', payload: 4 })).rejects.toMatchObject({ code: 'delivery_closed' });
  });

  it('reports a failing claim as an error event and keeps polling', async () => {
    const { clock, transport } = setup(() => ({}), { pollIntervalMs: 1_000 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook' });
    await dispatcher.publish({ type: 'a', payload: 1 });
    const errors: unknown[] = [];
    dispatcher.on('error', (error) => errors.push(error));
    const claim = store.claim.bind(store);
    store.claim = async () => {
      throw new Error('database is locked');
    };
    dispatcher.start();
    await clock.advanceAsync(0);
    expect(errors).toEqual([new Error('database is locked')]);
    store.claim = claim;
    await clock.advanceAsync(1_000);
    expect(transport.calls).toHaveLength(1);
  });

  it('with prefetch 0 leases only what its free slots can start', async () => {
    const { clock } = setup(() => 'hang', { concurrency: 2, maxInflightPerEndpoint: 2, prefetch: 0 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', timeoutMs: 60_000 });
    for (let i = 0; i < 5; i++) await dispatcher.publish({ type: 'a', payload: i });
    dispatcher.start();
    await clock.advanceAsync(0);
    expect(await store.counts()).toMatchObject({ pending: 3, inflight: 2 });
  });

  it('does not claim after a publish whose endpoints are saturated here; a freed slot claims it', async () => {
    const { clock, transport } = setup(() => 'hang', { concurrency: 4, maxInflightPerEndpoint: 1, prefetch: 1 });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com/hook', timeoutMs: 10_000 });
    dispatcher.start();
    for (let i = 0; i < 2; i++) await dispatcher.publish({ type: 'a', payload: i });
    await clock.advanceAsync(0);
    const claims = recordClaims();
    await dispatcher.publish({ type: 'a', payload: 'third' });
    await clock.advanceAsync(0);
    expect(claims).toEqual([]); // one in flight + one queued: ep_1 holds its share
    expect(transport.calls).toHaveLength(1);
    await clock.advanceAsync(10_000); // the first attempt times out; its slot frees
    expect(transport.calls.length).toBeGreaterThanOrEqual(2);
    expect(claims.length).toBeGreaterThan(0);
  });

  it('validates options once, naming the option', () => {
    store = createSqliteStore({ path: ':memory:' });
    expect(() => createDispatcher({ store, prefetch: -1 })).toThrow('`prefetch`');
    expect(() => createDispatcher({ store, concurrency: 0 })).toThrow('`concurrency`');
    expect(() => createDispatcher({ store, retrySchedule: [1, -1] })).toThrow('`retrySchedule[1]`');
    expect(() => createDispatcher({ store, retryJitter: 2 })).toThrow('`retryJitter`');
  });
});
