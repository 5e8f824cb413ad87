import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dlqSampler, historyBreakerMetric } from '../src/history/history-feed.js';
import { queryHistory, type RouteThreshold } from '../src/history/history-query.js';
import {
  addLatency,
  binValue,
  createLatencyHistogram,
  latencyBin,
  medianAndP90,
} from '../src/history/latency-histogram.js';
import { createMetricsHistory } from '../src/history/metrics-history.js';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const noThreshold = (): RouteThreshold => ({ status: 'insufficient_data', samples: 0, minSamples: 20 });
const MIN = 60_000;

function setup(options: Parameters<typeof createMetricsHistory>[0] = {}) {
  const clock = new FakeClock(START);
  return { clock, history: createMetricsHistory({ clock, ...options }) };
}

describe('metrics history', () => {
  it('counts attempts per bucket and reports them per second', () => {
    const { clock, history } = setup();
    for (let i = 0; i < 20; i++)
      history.attempt({ endpointId: 'ep_1', outcome: 'succeeded', errorCode: null, statusCode: 204 });
    history.attempt({ endpointId: 'ep_1', outcome: 'retry', errorCode: null, statusCode: 500 });
    clock.advance(10_000);
    history.attempt({ endpointId: 'ep_1', outcome: 'dead', errorCode: 'delivery_timeout', statusCode: null });
    history.publish(3);
    const snap = queryHistory(history, 15 * MIN, noThreshold);
    expect(snap.timestamps).toHaveLength(90);
    expect(snap.timestamps.at(-1)).toBe(Math.floor(clock.now() / 10_000) * 10);
    expect(snap.deliveries.succeeded.slice(-2)).toEqual([2, 0]);
    expect(snap.deliveries.retried.slice(-2)).toEqual([0.1, 0]);
    expect(snap.deliveries.failed.slice(-2)).toEqual([0, 0.1]);
    expect(snap.publishes.at(-1)).toBe(0.3);
    expect(snap.totals).toMatchObject({ succeeded: 20, retried: 1, failed: 1, publishes: 3 });
    expect(history.activity('ep_1')).toEqual({
      lastSuccessAt: START,
      lastFailureAt: START + 10_000,
      lastError: 'delivery_timeout',
    });
  });

  it('forgets what is older than its retention (the ring is reused, not grown)', () => {
    const { clock, history } = setup();
    history.publish(5);
    clock.advance(30 * MIN);
    expect(queryHistory(history, 60 * MIN, noThreshold).totals.publishes).toBe(5);
    expect(queryHistory(history, 15 * MIN, noThreshold).totals.publishes).toBe(0);
    clock.advance(31 * MIN);
    history.publish(1);
    const hour = queryHistory(history, 60 * MIN, noThreshold);
    expect(hour.timestamps).toHaveLength(360);
    expect(hour.totals.publishes).toBe(1);
    expect(history.ring.capacity).toBe(361);
  });

  it('a window longer than the retention is cut to it', () => {
    const { history } = setup({ bucketMs: 1_000, retentionMs: 15 * MIN });
    expect(queryHistory(history, 60 * MIN, noThreshold).timestamps).toHaveLength(900);
  });

  it('error codes over time, most frequent first, later codes past the cap as other', () => {
    const { clock, history } = setup({ maxCodes: 2 });
    history.error('not_found');
    clock.advance(10_000);
    for (const code of ['unauthorized', 'unauthorized', 'not_found', 'rate_limited', 'forbidden']) history.error(code);
    const snap = queryHistory(history, 15 * MIN, noThreshold);
    expect(snap.errors.map((e) => [e.code, e.total])).toEqual([
      ['not_found', 2],
      ['other', 2],
      ['unauthorized', 2],
    ]);
    expect(snap.errors[0]?.counts.slice(-2)).toEqual([1, 1]);
    expect(snap.totals.errors).toBe(6);
  });

  it('latency p50/p90 per route, with the route threshold, and a cap on routes', () => {
    const { clock, history } = setup({ maxRoutes: 1 });
    for (let ms = 1; ms <= 100; ms++) history.request('POST /events', ms);
    history.request('POST /events', Number.NaN);
    history.request('GET /other', 5);
    clock.advance(10_000);
    const snap = queryHistory(history, 15 * MIN, (route) => ({ status: 'ok', thresholdMs: route.length }));
    expect(snap.latency).toHaveLength(1);
    const [route] = snap.latency;
    expect(route).toMatchObject({ route: 'POST /events', samples: 100, threshold: { status: 'ok', thresholdMs: 12 } });
    expect(route?.p50).toBeGreaterThan(50 / 1.1);
    expect(route?.p50).toBeLessThan(50 * 1.1);
    expect(route?.p90Series.slice(-2)).toEqual([route?.p90, null]);
    expect(snap.dropped.routes).toBe(1);
  });

  it('window totals stay exact while the window slides, the current bucket fills and the clock steps back', () => {
    const { clock, history } = setup();
    const samples = (windowMs: number) => queryHistory(history, windowMs, noThreshold).latency[0]?.samples ?? 0;
    history.request('GET /a', 10);
    expect(samples(15 * MIN)).toBe(1);
    history.request('GET /a', 10);
    expect(samples(15 * MIN)).toBe(2);
    clock.advance(10_000);
    history.request('GET /a', 10);
    expect([samples(15 * MIN), samples(60 * MIN)]).toEqual([3, 3]);
    clock.advance(15 * MIN - 10_000);
    expect([samples(15 * MIN), samples(60 * MIN)]).toEqual([1, 3]);
    // A clock that steps back writes into a closed bucket: the memoized sums must not hide it.
    clock.advance(-60_000);
    history.request('GET /a', 10);
    clock.advance(60_000);
    expect([samples(15 * MIN), samples(60 * MIN)]).toEqual([2, 4]);
  });

  it('breaker timeline shows the worst state of each bucket and carries the state between', () => {
    const { clock, history } = setup();
    history.breaker('ep_1', 'open');
    clock.advance(10_000);
    clock.advance(10_000);
    history.breaker('ep_1', 'half_open');
    history.breaker('ep_1', 'closed');
    clock.advance(10_000);
    const levels = queryHistory(history, 15 * MIN, noThreshold).breakers[0]?.levels.slice(-5);
    expect(levels).toEqual([0, 2, 2, 2, 0]);
    expect(history.breakerState('ep_1')).toBe('closed');
    // Opened and closed again within the current bucket: the bucket shows open, `current` closed.
    history.breaker('ep_1', 'open');
    history.breaker('ep_1', 'closed');
    const now = queryHistory(history, 15 * MIN, noThreshold).breakers[0];
    expect([now?.levels.at(-1), now?.current]).toEqual([2, 0]);
  });

  it('DLQ depth carries forward from the last sample, also from before the window', () => {
    const { clock, history } = setup();
    history.dlqDepth(4);
    clock.advance(20 * MIN);
    history.dlqDepth(Number.NaN);
    const depth = queryHistory(history, 15 * MIN, noThreshold).dlqDepth;
    expect(depth.every((d) => d === 4)).toBe(true);
    history.dlqDepth(1);
    expect(queryHistory(history, 15 * MIN, noThreshold).dlqDepth.slice(-2)).toEqual([4, 1]);
    expect(queryHistory(createMetricsHistory({ clock }), 15 * MIN, noThreshold).dlqDepth[0]).toBeNull();
  });

  it('the version changes with every record and not with reads', () => {
    const { history } = setup();
    const before = history.version();
    queryHistory(history, 15 * MIN, noThreshold);
    expect(history.version()).toBe(before);
    history.error('x');
    expect(history.version()).toBe(before + 1);
    history.dlqDepth(0);
    history.dlqDepth(0);
    expect(history.version()).toBe(before + 2);
  });

  it('refuses options out of range, naming them', () => {
    expect(() => createMetricsHistory({ bucketMs: 5_000 as never })).toThrow(/`bucketMs`/);
    expect(() => createMetricsHistory({ retentionMs: 2 * 60 * MIN })).toThrow(/`retentionMs`/);
    expect(() => createMetricsHistory({ retentionMs: 15_500 })).toThrow(/`retentionMs`/);
    expect(() => createMetricsHistory({ maxRoutes: 0 })).toThrow(/`maxRoutes`/);
    expect(() => createMetricsHistory({ maxCodes: Number.POSITIVE_INFINITY })).toThrow(/`maxCodes`/);
    expect(() => createMetricsHistory({ maxEndpoints: 1.5 })).toThrow(/`maxEndpoints`/);
  });

  it('caps endpoints for breakers and last attempts', () => {
    const { history } = setup({ maxEndpoints: 2 });
    for (const id of ['a', 'b', 'c']) {
      history.breaker(id, 'open');
      history.attempt({ endpointId: id, outcome: 'retry', errorCode: null, statusCode: null });
    }
    expect(history.breakerState('c')).toBeUndefined();
    expect(history.dropped().endpoints).toBe(1);
    expect(history.activity('a')).toBeUndefined();
    expect(history.activity('c')?.lastError).toBe('no_response');
  });
});

describe('latency histogram', () => {
  it('p50/p90 are within 10% of the exact nearest-rank quantiles, for any samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.2, max: 1_000_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (samples) => {
          const histogram = createLatencyHistogram();
          for (const ms of samples) addLatency(histogram, ms);
          const sorted = [...samples].sort((a, b) => a - b);
          const exact = (q: number) => sorted[Math.ceil(q * sorted.length) - 1] as number;
          const { count, p50, p90 } = medianAndP90(histogram);
          expect(count).toBe(samples.length);
          expect(Math.abs((p50 as number) - exact(0.5)) / exact(0.5)).toBeLessThan(0.1);
          expect(Math.abs((p90 as number) - exact(0.9)) / exact(0.9)).toBeLessThan(0.1);
        },
      ),
    );
  });

  it('puts extremes in the first and last bins', () => {
    expect(latencyBin(0)).toBe(0);
    expect(latencyBin(Number.MAX_VALUE)).toBe(95);
    expect(binValue(0)).toBe(0.1);
    expect(medianAndP90(createLatencyHistogram())).toEqual({ count: 0, p50: null, p90: null });
  });
});

describe('history feed', () => {
  it('maps webhook breaker transitions to endpoint states and ignores rejections and other breakers', () => {
    const { history } = setup();
    const onMetric = historyBreakerMetric(history);
    onMetric('breaker.open', 'webhook:ep_1');
    onMetric('breaker.rejections', 'webhook:ep_2');
    onMetric('breaker.open', 'email:resend');
    expect(history.breakerState('ep_1')).toBe('open');
    onMetric('breaker.half_open', 'webhook:ep_1');
    expect(history.breakerState('ep_1')).toBe('half_open');
    onMetric('breaker.reopen', 'webhook:ep_1');
    expect(history.breakerState('ep_1')).toBe('open');
    onMetric('breaker.close', 'webhook:ep_1');
    expect(history.breakerState('ep_1')).toBe('closed');
    expect(history.breakerState('ep_2')).toBeUndefined();
    expect(history.breakerState('resend')).toBeUndefined();
  });

  it('a failing DLQ read keeps the last sample', async () => {
    const { history } = setup();
    await dlqSampler(history, { dlq: { stats: async () => ({ size: 3, byEndpoint: {}, oldestAt: null }) } as never })();
    await dlqSampler(history, {
      dlq: {
        stats: async () => {
          throw new Error('store closed');
        },
      } as never,
    })();
    expect(queryHistory(history, 15 * MIN, noThreshold).dlqDepth.at(-1)).toBe(3);
  });
});
