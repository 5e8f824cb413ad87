import { FakeClock } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import { type BreachAlertEvent, createSloRecorder } from '../src/index.js';

const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 1);

describe('createSloRecorder: recording', () => {
  it('keeps the exact last N samples per route, oldest first', () => {
    const slo = createSloRecorder({ clock: new FakeClock(start), capacity: 3 });
    for (const ms of [1, 2, 3, 4]) slo.record('GET /a', ms);
    slo.record('GET /b', 9);
    expect(slo.samples('GET /a')).toEqual([2, 3, 4]);
    expect(slo.samples('GET /b')).toEqual([9]);
    expect(slo.samples('GET /unknown')).toEqual([]);
    expect(slo.routes()).toEqual(['GET /a', 'GET /b']);
  });

  it('folds routes past maxRoutes into `other`', () => {
    const slo = createSloRecorder({ clock: new FakeClock(start), maxRoutes: 2 });
    expect(slo.record('/a', 1)).toBe('/a');
    expect(slo.record('/b', 1)).toBe('/b');
    expect(slo.record('/c', 1)).toBe('other');
    expect(slo.record('/d', 2)).toBe('other');
    expect(slo.record('/a', 3)).toBe('/a');
    expect(slo.routes()).toEqual(['/a', '/b', 'other']);
    expect(slo.samples('other')).toEqual([1, 2]);
  });

  it('treats routes named like Object.prototype members as plain routes', () => {
    const slo = createSloRecorder({ thresholdsMs: { '/a': 10 }, breachMinSamples: 1 });
    for (const route of ['constructor', '__proto__', 'toString']) {
      expect(slo.record(route, 50)).toBe(route);
      expect(slo.thresholdMs(route)).toBeUndefined();
      expect(slo.samples(route)).toEqual([50]);
    }
  });

  it('uses a custom name for the overflow route', () => {
    const slo = createSloRecorder({ maxRoutes: 1, otherRoute: '__overflow' });
    slo.record('/a', 1);
    expect(slo.record('/b', 1)).toBe('__overflow');
  });

  it.each([
    ['NaN', '/a', Number.NaN],
    ['a negative duration', '/a', -5],
    ['Infinity', '/a', Number.POSITIVE_INFINITY],
    ['a string duration', '/a', '12' as unknown as number],
    ['a non-string route', 42 as unknown as string, 5],
    ['an empty route', '', 5],
  ])('rejects %s with slo_invalid_sample', (_name, route, ms) => {
    const slo = createSloRecorder();
    expect(() => slo.record(route, ms)).toThrow(expect.objectContaining({ code: 'slo_invalid_sample' }));
    expect(slo.routes()).toEqual([]);
  });

  it('rejects unknown outcomes', () => {
    const slo = createSloRecorder();
    expect(() => slo.record('/a', 1, 'timeout' as 'ok')).toThrow(
      expect.objectContaining({ code: 'slo_invalid_sample' }),
    );
  });

  it("counts invalid samples instead with invalidSamples: 'count', never poisoning a quantile", () => {
    const slo = createSloRecorder({ invalidSamples: 'count' });
    for (let i = 1; i <= 100; i++) slo.record('/a', i);
    expect(slo.record('/a', Number.NaN)).toBeUndefined();
    slo.record('/a', -1);
    slo.record(undefined as unknown as string, 1);
    expect(slo.invalidSamples).toBe(3);
    expect(slo.samples('/a')).toHaveLength(100);
    expect(slo.recommendThreshold('/a')).toMatchObject({ status: 'ok', quantileMs: 98 });
    expect(slo.sketch('/a').count).toBe(100);
    expect(slo.toPrometheus()).toContain('slo_invalid_samples_total 3');
  });

  it('validates options once, naming them', () => {
    expect(() => createSloRecorder({ capacity: 0 })).toThrow(/`capacity`/);
    expect(() => createSloRecorder({ maxRoutes: 1.5 })).toThrow(/`maxRoutes`/);
    expect(() => createSloRecorder({ otherRoute: '' })).toThrow(/`otherRoute`/);
    expect(() => createSloRecorder({ objective: { target: 1 } })).toThrow(/`objective.target`/);
    expect(() => createSloRecorder({ objective: { thresholdMs: -1 } })).toThrow(/`objective.thresholdMs`/);
    expect(() => createSloRecorder({ thresholdsMs: { '/a': Number.NaN } })).toThrow(/`thresholdsMs\['\/a'\]`/);
    expect(() => createSloRecorder({ breachTarget: 2 })).toThrow(/`breachTarget`/);
    expect(() => createSloRecorder({ invalidSamples: 'drop' as 'count' })).toThrow(/`invalidSamples`/);
    expect(() => createSloRecorder({ relativeAccuracy: 0 })).toThrow(/`relativeAccuracy`/);
    expect(() => createSloRecorder({ burnRateRules: [{ severity: 'page', burnRate: 0, longWindowMs: HOUR }] })).toThrow(
      /`burnRateRules\[0\].burnRate`/,
    );
    expect(() =>
      createSloRecorder({ burnRateRules: [{ severity: 'sms' as 'page', burnRate: 1, longWindowMs: HOUR }] }),
    ).toThrow(/severity/);
  });
});

describe('createSloRecorder: sketches over time buckets', () => {
  it('answers quantiles for a time window from the injected clock', () => {
    const clock = new FakeClock(start);
    const slo = createSloRecorder({ clock });
    for (let i = 0; i < 100; i++) slo.record('/a', 1000);
    clock.advance(5 * HOUR);
    for (let i = 0; i < 100; i++) slo.record('/a', 10);
    expect(slo.sketch('/a', HOUR).count).toBe(100);
    expect(slo.sketch('/a', HOUR).quantile(0.99)).toBe(10);
    expect(slo.sketch('/a', 6 * HOUR).count).toBe(200);
    expect(slo.sketch('/a').quantile(0.99)).toBe(1000);
  });

  it('forgets buckets older than sketchRetentionMs', () => {
    const clock = new FakeClock(start);
    const slo = createSloRecorder({ clock });
    slo.record('/a', 1000);
    clock.advance(25 * HOUR);
    slo.record('/a', 10);
    expect(slo.sketch('/a').count).toBe(1);
    expect(slo.sketch('/nope').count).toBe(0);
  });

  it('keeps the last N independent of time', () => {
    const clock = new FakeClock(start);
    const slo = createSloRecorder({ clock, capacity: 2 });
    slo.record('/a', 1);
    clock.advance(48 * HOUR);
    slo.record('/a', 2);
    expect(slo.samples('/a')).toEqual([1, 2]);
  });

  it('ignores samples for buckets older than the one a slot holds (clock going backwards)', () => {
    const clock = new FakeClock(start + 25 * HOUR);
    const slo = createSloRecorder({ clock });
    slo.record('/a', 5);
    clock.set(start); // same slot, older bucket
    slo.record('/a', 7);
    clock.set(start + 25 * HOUR);
    expect(slo.sketch('/a').count).toBe(1);
    expect(slo.samples('/a')).toEqual([5, 7]);
  });
});

describe('createSloRecorder: recommendThreshold', () => {
  it('uses the last N samples of the route and names it', () => {
    const slo = createSloRecorder({ capacity: 200 });
    for (let i = 1; i <= 400; i++) slo.record('GET /users', i);
    const result = slo.recommendThreshold('GET /users');
    expect(result).toMatchObject({ status: 'ok', quantileMs: 395, thresholdMs: 400, samples: 200 });
    expect(result.window).toEqual({ kind: 'last_n', capacity: 200 });
    expect(result.explanation).toContain('GET /users');
  });

  it('is insufficient_data for an unknown route', () => {
    expect(createSloRecorder().recommendThreshold('/x', { minSamples: 1 })).toMatchObject({
      status: 'insufficient_data',
      samples: 0,
    });
  });
});

describe('createSloRecorder: breach ratio', () => {
  it('is exact over the last N and estimated over a time window', () => {
    const clock = new FakeClock(start);
    const slo = createSloRecorder({ clock, capacity: 100 });
    for (let i = 1; i <= 200; i++) slo.record('/a', i); // last 100: 101..200
    const ratio = slo.breachRatio('/a', 150);
    expect(ratio.lastN).toEqual({ breaches: 50, samples: 100, ratio: 0.5 });
    expect(ratio.window.samples).toBe(200);
    expect(ratio.window.breaches).toBeGreaterThanOrEqual(49);
    expect(ratio.window.breaches).toBeLessThanOrEqual(51);
    expect(ratio.exceeded).toBe(true);
  });

  it('is 0 for a route without samples', () => {
    const ratio = createSloRecorder().breachRatio('/none', 100);
    expect(ratio.lastN.ratio).toBe(0);
    expect(ratio.window.ratio).toBe(0);
    expect(ratio.exceeded).toBe(false);
  });

  it('emits slo_breach_alert when the ratio exceeds the target, and again when it resolves', () => {
    const clock = new FakeClock(start);
    const events: BreachAlertEvent[] = [];
    const slo = createSloRecorder({
      clock,
      capacity: 100,
      thresholdsMs: { '/a': 100 },
      breachMinSamples: 20,
      onBreachAlert: (e) => events.push(e),
    });
    for (let i = 0; i < 100; i++) slo.record('/a', 50);
    expect(events).toEqual([]);
    for (let i = 0; i < 6; i++) slo.record('/a', 500);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'slo_breach_alert',
      route: '/a',
      state: 'firing',
      thresholdMs: 100,
      target: 0.05,
      samples: 100,
      atMs: start,
    });
    expect(events[0]?.ratio).toBeCloseTo(0.06);
    for (let i = 0; i < 100; i++) slo.record('/a', 50);
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(slo.thresholdMs('/a')).toBe(100);
  });

  it('waits for breachMinSamples and isolates failing listeners', () => {
    const slo = createSloRecorder({ objective: { thresholdMs: 10 }, breachMinSamples: 5 });
    const listener = vi.fn();
    slo.onBreachAlert(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = slo.onBreachAlert(listener);
    for (let i = 0; i < 4; i++) slo.record('/a', 100);
    expect(listener).not.toHaveBeenCalled();
    slo.record('/a', 100);
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    for (let i = 0; i < 100; i++) slo.record('/a', 1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('exports a slo_breach_ratio gauge per route with a threshold', () => {
    const slo = createSloRecorder({ thresholdsMs: { '/a': 100 } });
    slo.record('/a', 50);
    slo.record('/a', 150);
    slo.record('/b', 150);
    const text = slo.toPrometheus();
    expect(text).toContain('# TYPE slo_breach_ratio gauge');
    expect(text).toContain('slo_breach_ratio{route="/a"} 0.5');
    expect(text).not.toContain('slo_breach_ratio{route="/b"}');
  });
});

describe('createSloRecorder: memory', () => {
  it('stays within the per-route bound stated in the README', () => {
    const clock = new FakeClock(start);
    const slo = createSloRecorder({ clock });
    expect(slo.memoryBytes('/a')).toBe(0);
    // A day of traffic spread over 4 decades of latency, one sample a minute... and a burst.
    for (let m = 0; m < 24 * 60; m++) {
      slo.record('/a', 0.5 * 10 ** ((m % 97) / 24));
      clock.advance(60_000);
    }
    for (let i = 0; i < 10_000; i++) slo.record('/a', 1 + (i % 5000));
    const bytes = slo.memoryBytes('/a');
    // ring 8,000 + fine counts 361×20 + coarse counts 721×20 + 25 sketch slots × 8 + sketches.
    const fixed = 8_000 + 361 * 20 + 721 * 20 + 25 * 8;
    expect(bytes).toBeGreaterThan(fixed);
    expect(bytes).toBeLessThanOrEqual(fixed + 25 * 2048 * 8);
  });
});
