import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import {
  type BreachAlertEvent,
  createSloRecorder,
  DEFAULT_BURN_RATE_RULES,
  evaluateBurnRate,
  mergeSloExports,
  normalizeRules,
  parseSloExport,
} from '../src/index.js';
import { normal, rng } from './helpers.js';

/** 10,000 steady lognormal requests whose true breach rate sits on the 5% target. */
function steadyFlips(alertResolveFactor?: number): BreachAlertEvent[] {
  const events: BreachAlertEvent[] = [];
  const random = rng(42);
  // exp(4 + 1.2·z) is above exp(4 + 1.2·1.6449) with probability 5%.
  const thresholdMs = Math.exp(4 + 1.2 * 1.6449);
  const slo = createSloRecorder({
    thresholdsMs: { r: thresholdMs },
    ...(alertResolveFactor === undefined ? {} : { alertResolveFactor }),
    onBreachAlert: (e) => events.push(e),
  });
  for (let i = 0; i < 10_000; i++) slo.record('r', Math.exp(4 + 1.2 * normal(random)));
  return events;
}

describe('slo_breach_alert hysteresis', () => {
  it('does not flap on a steady workload at the target: fires, then resolves only at 80% of it', () => {
    const without = steadyFlips(1);
    expect(without.length).toBeGreaterThan(10); // the defect: flips with every sample around 5%
    const events = steadyFlips();
    expect(events.length).toBeLessThanOrEqual(3);
    for (const e of events.filter((x) => x.state === 'resolved')) expect(e.ratio).toBeLessThanOrEqual(0.04);
  });

  it('resolves exactly at breachTarget × alertResolveFactor, not above', () => {
    const events: BreachAlertEvent[] = [];
    const slo = createSloRecorder({
      capacity: 100,
      breachMinSamples: 100,
      breachTarget: 0.1,
      alertResolveFactor: 0.5,
      thresholdsMs: { r: 100 },
      onBreachAlert: (e) => events.push(e),
    });
    for (let i = 0; i < 89; i++) slo.record('r', 1);
    for (let i = 0; i < 11; i++) slo.record('r', 500); // 11% > 10%: fires
    expect(events.map((e) => e.state)).toEqual(['firing']);
    for (let i = 0; i < 89; i++) slo.record('r', 1); // the old fast ones leave: still 11%
    for (let i = 0; i < 5; i++) slo.record('r', 1); // slow ones leave one by one: 6% > 5%, still firing
    expect(events.map((e) => e.state)).toEqual(['firing']);
    slo.record('r', 1); // 5% = 10% × 0.5: resolves exactly at the edge
    expect(events.map((e) => [e.state, e.ratio])).toEqual([
      ['firing', 0.11],
      ['resolved', 0.05],
    ]);
  });

  it('validates alertResolveFactor and burnRateMinEvents, naming them', () => {
    for (const bad of [0, 1.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createSloRecorder({ alertResolveFactor: bad })).toThrow(/`alertResolveFactor`/);
    }
    for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createSloRecorder({ burnRateMinEvents: bad })).toThrow(/`burnRateMinEvents`/);
    }
  });
});

describe('burn-rate alerts: minimum events and hysteresis', () => {
  it('does not page for one failed request out of one, pages once each window holds 10 requests', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const slo = createSloRecorder({ clock });
    slo.record('r', 5, 'error');
    expect(slo.burnRate('r').severity).toBe('none');
    for (let i = 0; i < 9; i++) slo.record('r', 5, 'error');
    expect(slo.burnRate('r').severity).toBe('page');
  });

  it('keeps firing until the burn falls below burnRate × alertResolveFactor', () => {
    // Target 0.5 keeps the arithmetic exact: burn = 2 × bad / total.
    const rules = normalizeRules([{ severity: 'page', burnRate: 1.25, longWindowMs: 60_000, shortWindowMs: 60_000 }]);
    const tally = (bad: number) => () => ({ total: 1000, bad });
    const at = (bad: number, previous?: boolean[]) =>
      evaluateBurnRate(0.5, rules, tally(bad), 60_000, previous ? { previous } : {}).alerts[0]?.firing;
    expect(at(625)).toBe(true); // burn 1.25
    expect(at(624)).toBe(false);
    expect(at(500, [true])).toBe(true); // burn 1 = 1.25 × 0.8: still firing
    expect(at(499, [true])).toBe(false);
    expect(() => evaluateBurnRate(0.99, rules, tally(1), 60_000, { resolveFactor: 0 })).toThrow(/`resolveFactor`/);
    expect(() => evaluateBurnRate(0.99, rules, tally(1), 60_000, { minEvents: -1 })).toThrow(/`minEvents`/);
  });

  it('applies hysteresis statefully in the recorder', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const slo = createSloRecorder({ clock, burnRateRules: DEFAULT_BURN_RATE_RULES.slice(0, 1) });
    for (let i = 0; i < 985; i++) slo.record('r', 1);
    for (let i = 0; i < 15; i++) slo.record('r', 1, 'error'); // 1.5% bad: burn 15 ≥ 14.4
    expect(slo.burnRate('r').severity).toBe('page');
    for (let i = 0; i < 100; i++) slo.record('r', 1); // 15/1100: burn 13.6, between 11.52 and 14.4
    expect(slo.burnRate('r').severity).toBe('page');
    const fresh = createSloRecorder({ clock, burnRateRules: DEFAULT_BURN_RATE_RULES.slice(0, 1) });
    for (let i = 0; i < 1085; i++) fresh.record('r', 1);
    for (let i = 0; i < 15; i++) fresh.record('r', 1, 'error');
    expect(fresh.burnRate('r').severity).toBe('none'); // same data, never fired: quiet
  });
});

describe('monotonic counters in the exports', () => {
  function instance(seed: number, requests: number) {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const slo = createSloRecorder({ clock, capacity: 50, thresholdsMs: { '/a': 100 } });
    const random = rng(seed);
    for (let i = 0; i < requests; i++) {
      const route = random() < 0.7 ? '/a' : '/b';
      slo.record(route, random() * 200, random() < 0.05 ? 'error' : 'ok');
      clock.advance(1_000);
    }
    return slo;
  }

  it('sum across instances to the fleet totals, in JSON and in Prometheus text, and give the fleet burn rate', () => {
    const fleet = [instance(1, 3_000), instance(2, 500), instance(3, 1)];
    const merged = mergeSloExports(fleet.map((s) => parseSloExport(JSON.parse(JSON.stringify(s.toJSON())))));
    for (const route of ['/a', '/b']) {
      const expected = { requests: 0, errors: 0, slow: 0 };
      for (const s of fleet) {
        const c = s.counters(route);
        expected.requests += c.requests;
        expected.errors += c.errors;
        expected.slow += c.slow;
      }
      expect(merged.routes.find((r) => r.route === route)?.counters).toEqual(expected);
      // Prometheus: the same counters, summed by route across the instances' scrapes.
      const scraped = { requests: 0, errors: 0, slow: 0 };
      for (const s of fleet) {
        const text = s.toPrometheus();
        const read = (name: string) =>
          Number(new RegExp(`^slo_${name}_total\\{route="${route}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
        scraped.requests += read('requests');
        scraped.errors += read('error_requests');
        scraped.slow += read('slow_requests');
      }
      expect(scraped).toEqual(expected);
    }
    const a = merged.routes.find((r) => r.route === '/a')?.counters;
    expect(a?.requests).toBeGreaterThan(2_000);
    expect(a?.slow).toBeGreaterThan(0); // /a has a threshold: slow requests are counted
    expect(merged.routes.find((r) => r.route === '/b')?.counters?.slow).toBe(0);
  });

  it('are monotonic: the last-N ring forgets, the counters do not', () => {
    const slo = instance(4, 1_000);
    const before = slo.counters('/a');
    slo.record('/a', 1);
    expect(slo.counters('/a').requests).toBe(before.requests + 1);
    expect(slo.samples('/a')).toHaveLength(50);
    expect(slo.counters('/nope')).toEqual({ requests: 0, errors: 0, slow: 0 });
  });

  it('are validated on import and optional for older exports', () => {
    const json = JSON.parse(JSON.stringify(instance(5, 10).toJSON()));
    const bare = structuredClone(json);
    for (const r of bare.routes) delete r.counters;
    expect(parseSloExport(bare).routes[0]?.counters).toBeUndefined();
    expect(mergeSloExports([parseSloExport(bare), parseSloExport(json)]).routes[0]?.counters).toEqual(
      json.routes[0].counters,
    );
    for (const bad of [
      null,
      { requests: -1, errors: 0, slow: 0 },
      { requests: 1, errors: 1, slow: 1 },
      { requests: 1.5, errors: 0, slow: 0 },
    ]) {
      const copy = structuredClone(json);
      copy.routes[0].counters = bad;
      expect(() => parseSloExport(copy)).toThrow(expect.objectContaining({ code: 'slo_invalid_export' }));
    }
  });
});
