import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { FakeClock } from '@bulwark/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDispatcher,
  createSimulatedTransport,
  DEFAULT_RETRY_SCHEDULE,
  parseRetryAfter,
  parseWebhookReal,
  retryDelay,
} from '../src/index.js';
import { recordingMetrics } from './helpers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('WEBHOOK_REAL', () => {
  it.each([
    ['1', true],
    ['true', true],
    [' TRUE ', true],
    ['0', false],
    ['false', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (value, expected) => {
    expect(parseWebhookReal(value)).toBe(expected);
  });

  it('rejects anything else, naming the variable', () => {
    expect(() => parseWebhookReal('yes')).toThrow('`WEBHOOK_REAL`');
  });

  it('simulates delivery when off: nothing leaves the process, metrics end in .simulated', async () => {
    vi.stubEnv('WEBHOOK_REAL', '0');
    const clock = new FakeClock(0);
    const store = createSqliteStore({ path: ':memory:' });
    const metrics = recordingMetrics();
    const labelled: Array<{ name: string; labels: unknown }> = [];
    const increment = metrics.increment;
    metrics.increment = (name, labels) => {
      labelled.push({ name, labels });
      increment(name, labels);
    };
    const dispatcher = createDispatcher({ store, clock, timers: clock, metrics });
    const attempts: unknown[] = [];
    dispatcher.on('attempt', (event) => attempts.push(event));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://127.0.0.1/would-be-refused' });
    const { messageId } = await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await dispatcher.idle();
    expect(metrics.counters.get('webhook.sent.simulated')).toBe(1);
    expect(metrics.counters.get('webhook.sent.real')).toBeUndefined();
    expect((await dispatcher.inspect(messageId))[0]?.history[0]).toMatchObject({
      statusCode: 200,
      response: 'simulated',
      simulated: true,
    });
    expect(attempts).toEqual([expect.objectContaining({ outcome: 'succeeded', simulated: true })]);
    expect(labelled).toEqual([{ name: 'webhook.sent.simulated', labels: { endpoint: 'ep_1', simulated: 'true' } }]);
    expect(metrics.observations[0]?.labels).toMatchObject({ mode: 'simulated', simulated: 'true' });
    const stats = await dispatcher.stats();
    expect(stats).toMatchObject({ succeeded: 1, dlq: { size: 0 } });
    expect(metrics.gauges.get('webhook.queue.depth')).toBe(0);
    expect(metrics.gauges.get('webhook.dlq.size')).toBe(0);
    await dispatcher.close();
    await dispatcher.close();
    await store.close();
  });

  it('uses the real transport when on', async () => {
    vi.stubEnv('WEBHOOK_REAL', '1');
    const store = createSqliteStore({ path: ':memory:' });
    const dispatcher = createDispatcher({ store });
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://127.0.0.1/hook' });
    const events: unknown[] = [];
    dispatcher.on('attempt', (e) => events.push(e));
    await dispatcher.publish({ type: 'a', payload: 1 });
    dispatcher.start();
    await dispatcher.idle();
    expect(events).toEqual([
      expect.objectContaining({ errorCode: 'delivery_egress_refused', outcome: 'dead', simulated: false }),
    ]);
    await dispatcher.close();
    await store.close();
  });
});

describe('createSimulatedTransport', () => {
  it('answers 200 and honours an aborted signal', async () => {
    const transport = createSimulatedTransport();
    const request = { url: 'https://x.example', headers: {}, body: '{}', timeoutMs: 1 };
    expect(await transport.send(request)).toEqual({ status: 200, retryAfter: null, body: 'simulated' });
    const reason = new Error('stop');
    await expect(transport.send({ ...request, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await transport.close();
    expect(transport.mode).toBe('simulated');
  });
});

describe('retry schedule helpers', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('Xyz, 99 Abc 2026 99:99:99 GMT', now)).toBeUndefined();
    // The one core grammar: the obsolete RFC 850 and asctime forms are accepted too.
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 7))).toBe(30_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 7))).toBe(30_000);
  });

  it('returns undefined once the schedule is exhausted', () => {
    expect(retryDelay(DEFAULT_RETRY_SCHEDULE, 8, 0, () => 0.5)).toBe(12 * 3_600_000);
    expect(retryDelay(DEFAULT_RETRY_SCHEDULE, 9, 0, () => 0.5)).toBeUndefined();
    expect(retryDelay([1_000], 1, 0.2, () => 0.999_999)).toBe(1_200);
  });
});

describe('dispatcher events', () => {
  it('isolates a throwing listener and unsubscribes', async () => {
    const clock = new FakeClock(0);
    const store = createSqliteStore({ path: ':memory:' });
    const dispatcher = createDispatcher({ store, real: false, clock, timers: clock });
    const seen: string[] = [];
    dispatcher.on('attempt', () => {
      throw new Error('listener bug');
    });
    const off = dispatcher.on('attempt', (e) => seen.push(e.outcome));
    await dispatcher.endpoints.create({ id: 'ep_1', url: 'https://a.example.com' });
    dispatcher.start();
    await dispatcher.publish({ type: 'a', payload: 1 });
    await dispatcher.idle();
    off();
    await dispatcher.publish({ type: 'a', payload: 2 });
    await dispatcher.idle();
    expect(seen).toEqual(['succeeded']);
    expect((await store.counts()).succeeded).toBe(2);
    await dispatcher.close();
    await store.close();
  });
});
