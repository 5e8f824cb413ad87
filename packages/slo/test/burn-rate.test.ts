import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import {
  createSloRecorder,
  DEFAULT_BURN_RATE_RULES,
  evaluateBurnRate,
  normalizeRules,
  type SloRecorder,
} from '../src/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Drives `minutes` of traffic: `perMinute` requests a minute, one in `errorEvery` failing. */
function traffic(slo: SloRecorder, clock: FakeClock, minutes: number, perMinute: number, errorEvery = 0): void {
  let n = 0;
  for (let m = 0; m < minutes; m++) {
    for (let i = 0; i < perMinute; i++) {
      n++;
      slo.record('/checkout', 20, errorEvery > 0 && n % errorEvery === 0 ? 'error' : 'ok');
    }
    clock.advance(MINUTE);
  }
}

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const slo = createSloRecorder({ clock, objective: { target: 0.999 } });
  return { clock, slo };
}

const firing = (slo: SloRecorder) =>
  slo
    .burnRate('/checkout')
    .alerts.filter((a) => a.firing)
    .map((a) => `${a.severity}@${a.burnRate}`);

describe('burn-rate alerts (Google SRE Workbook multi-window, multi-burn-rate)', () => {
  it('uses the workbook defaults: 14.4x 1h/5m, 6x 6h/30m, 1x 3d/6h', () => {
    expect(DEFAULT_BURN_RATE_RULES.map((r) => [r.severity, r.burnRate, r.longWindowMs, r.shortWindowMs])).toEqual([
      ['page', 14.4, HOUR, 5 * MINUTE],
      ['page', 6, 6 * HOUR, 30 * MINUTE],
      ['ticket', 1, 3 * DAY, 6 * HOUR],
    ]);
  });

  it('derives the short window as 1/12 of the long one', () => {
    expect(normalizeRules([{ severity: 'page', burnRate: 2, longWindowMs: 12 * HOUR }])[0]?.shortWindowMs).toBe(HOUR);
  });

  it('stays quiet and keeps budget for healthy traffic over two days', () => {
    const { clock, slo } = setup();
    traffic(slo, clock, 2 * 24 * 60, 10, 4000); // 0.025% errors: a quarter of the budget
    const report = slo.burnRate('/checkout');
    expect(report.severity).toBe('none');
    expect(report.budget.total).toBe(2 * 24 * 60 * 10);
    expect(report.budget.remaining).toBeCloseTo(0.75, 1);
  });

  it('pages at 14.4x during an outage, and stops once the 5-minute window recovers', () => {
    const { clock, slo } = setup();
    traffic(slo, clock, 24 * 60, 10); // one healthy day
    traffic(slo, clock, 10, 10, 1); // 10 minutes of 100% errors
    expect(firing(slo)).toContain('page@14.4');
    expect(slo.burnRate('/checkout').severity).toBe('page');
    traffic(slo, clock, 6, 10); // 6 healthy minutes: the 5 m window is clean again
    const report = slo.burnRate('/checkout');
    expect(report.alerts[0]?.long.burnRate).toBeGreaterThan(14.4);
    expect(report.alerts[0]?.firing).toBe(false);
  });

  it('pages at 6x (not 14.4x) for a sustained 1% error rate over 6 hours', () => {
    const { clock, slo } = setup();
    traffic(slo, clock, 7 * 60, 100, 100); // 1% errors = 10x burn
    // The 3-day window holds only these 7 hours, so the 1x ticket rule fires as well.
    expect(firing(slo)).toEqual(['page@6', 'ticket@1']);
  });

  it('opens a ticket (no page) for a 2x burn over three days, and reports the budget overspent', () => {
    const { clock, slo } = setup();
    traffic(slo, clock, 3 * 24 * 60 + 60, 10, 500); // 0.2% errors = 2x burn
    expect(firing(slo)).toEqual(['ticket@1']);
    const report = slo.burnRate('/checkout');
    expect(report.severity).toBe('ticket');
    expect(report.budget.remaining).toBeCloseTo(-1, 1);
  });

  it('counts slow successful requests as bad when the objective has a latency threshold', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const slo = createSloRecorder({ clock, objective: { target: 0.99, thresholdMs: 100 } });
    for (let i = 0; i < 98; i++) slo.record('/a', 50);
    slo.record('/a', 500);
    slo.record('/a', 50, 'error');
    const report = slo.burnRate('/a');
    expect(report.budget).toMatchObject({ total: 100, bad: 2 });
    expect(report.budget.remaining).toBeCloseTo(-1);
  });

  it('forgets traffic older than the windows as fake time moves across days', () => {
    const { clock, slo } = setup();
    traffic(slo, clock, 10, 10, 1);
    expect(firing(slo)).toContain('page@14.4');
    clock.advance(4 * DAY);
    expect(firing(slo)).toEqual([]);
    expect(slo.burnRate('/checkout').alerts[2]?.long.total).toBe(0);
    expect(slo.burnRate('/checkout').budget.bad).toBe(100); // still inside the 30-day budget period
    clock.advance(31 * DAY);
    expect(slo.burnRate('/checkout').budget).toMatchObject({ total: 0, remaining: 1 });
  });

  it('has a full budget and no alerts without traffic', () => {
    const report = createSloRecorder().burnRate('/none');
    expect(report.severity).toBe('none');
    expect(report.budget.remaining).toBe(1);
  });

  it('takes custom rules', () => {
    const clock = new FakeClock(0);
    const slo = createSloRecorder({
      clock,
      objective: { target: 0.9 },
      burnRateRules: [{ severity: 'ticket', burnRate: 2, longWindowMs: 10 * MINUTE, shortWindowMs: MINUTE }],
    });
    for (let i = 0; i < 10; i++) slo.record('/a', 1, i < 3 ? 'error' : 'ok');
    expect(slo.burnRate('/a').alerts).toHaveLength(1);
    expect(slo.burnRate('/a').severity).toBe('ticket');
  });
});

describe('evaluateBurnRate', () => {
  it('is a pure function of window tallies', () => {
    const rules = normalizeRules(DEFAULT_BURN_RATE_RULES);
    const report = evaluateBurnRate(0.999, rules, (ms) => ({ total: 1000, bad: ms <= HOUR ? 20 : 1 }), 30 * DAY);
    expect(report.alerts.map((a) => a.firing)).toEqual([true, false, false]);
    expect(report.alerts[0]?.long.burnRate).toBeCloseTo(20);
    expect(report.budget.allowedBad).toBeCloseTo(1);
    expect(report.budget.remaining).toBeCloseTo(0);
  });
});
