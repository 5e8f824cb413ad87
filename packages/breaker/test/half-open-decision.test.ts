import { FakeClock } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import { type BreakerMetricName, createCircuitBreaker, isBrokenCircuitError } from '../src/index.js';
import { boom, deferred, makeBreaker, ok, openBreaker, settle } from './helpers.js';

describe('HALF_OPEN decides on the trials it has', () => {
  it('recovers a rarely called dependency with default options: one success every 20 s closes it', async () => {
    const clock = new FakeClock(0);
    const metrics: BreakerMetricName[] = [];
    const breaker = createCircuitBreaker({ clock, timers: clock, onMetric: (name) => metrics.push(name) });
    for (let i = 0; i < 20; i++) await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
    const states: string[] = [];
    for (let i = 0; i < 30; i++) {
      clock.advance(20_000);
      await settle(breaker.execute(ok));
      states.push(breaker.state);
    }
    // OPEN 30 s, HALF_OPEN from the call at 40 s, decided at 100 s on three successful trials.
    expect(states.slice(0, 5)).toEqual(['open', 'half_open', 'half_open', 'half_open', 'closed']);
    expect(states.slice(4).every((s) => s === 'closed')).toBe(true);
    expect(metrics).toEqual(['breaker.open', 'breaker.rejections', 'breaker.half_open', 'breaker.close']);
  });

  it('decides exactly at maxHalfOpenWaitMs (inclusive), on the settled trials only', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 3, maxHalfOpenWaitMs: 2_000 });
    await openBreaker(breaker);
    clock.advance(1_000);
    await breaker.execute(ok);
    const hung = breaker.execute(() => new Promise<string>(() => {}));
    clock.advance(1_999);
    expect(breaker.state).toBe('half_open');
    clock.advance(1);
    expect(breaker.state).toBe('closed');
    void hung;
  });

  it('reopens at the deadline on the settled trials when they fail, with the trial numbers', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 3, maxHalfOpenWaitMs: 2_000 });
    const opened = vi.fn();
    breaker.on('open', opened);
    await openBreaker(breaker);
    clock.advance(1_000);
    await settle(breaker.execute(boom));
    clock.advance(2_000);
    expect(breaker.state).toBe('open');
    expect(opened.mock.calls[1]?.[0].trip).toMatchObject({
      reason: 'failure_rate',
      source: 'half_open_trials',
      calls: 1,
      failures: 1,
    });
  });

  it('reopens at the deadline when trials were admitted and none settled (a hung dependency)', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 2, maxHalfOpenWaitMs: 2_000 });
    await openBreaker(breaker);
    clock.advance(1_000);
    void breaker.execute(() => new Promise(() => {}));
    clock.advance(2_000);
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().trip).toMatchObject({ reason: 'half_open_timeout', calls: 0, failureRate: 0 });
  });

  it('keeps waiting, without a reopen, when no trial came at all', async () => {
    const metrics: BreakerMetricName[] = [];
    const { breaker, clock } = makeBreaker({
      autoHalfOpen: true,
      maxHalfOpenWaitMs: 2_000,
      halfOpenPermits: 1,
      onMetric: (name) => metrics.push(name),
    });
    await openBreaker(breaker);
    clock.advance(1_000); // the auto timer moves it to HALF_OPEN
    clock.advance(10_000);
    expect(breaker.state).toBe('half_open');
    const trial = deferred();
    const pending = breaker.execute(() => trial.promise);
    clock.advance(1_999);
    expect(breaker.state).toBe('half_open'); // the deadline restarted when the trial came
    trial.resolve('ok');
    await pending;
    expect(breaker.state).toBe('closed');
    expect(metrics).not.toContain('breaker.reopen');
  });

  it('tells a caller rejected in HALF_OPEN to recheck soon, not at the half-open deadline', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1, maxHalfOpenWaitMs: 60_000 });
    await openBreaker(breaker);
    clock.advance(1_000);
    const trial = deferred();
    const pending = breaker.execute(() => trial.promise);
    const rejected = await breaker.execute(ok).catch((e: unknown) => e);
    expect(isBrokenCircuitError(rejected) && rejected.reason).toBe('half_open_full');
    expect(isBrokenCircuitError(rejected) && rejected.retryAfterMs).toBe(1_000);
    clock.advance(5);
    trial.resolve('ok');
    await pending;
    expect(breaker.state).toBe('closed');
  });

  it('never hints past the half-open deadline', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1, maxHalfOpenWaitMs: 2_000 });
    await openBreaker(breaker);
    clock.advance(1_000);
    void breaker.execute(() => new Promise(() => {}));
    clock.advance(1_700);
    const rejected = await breaker.execute(ok).catch((e: unknown) => e);
    expect(isBrokenCircuitError(rejected) && rejected.retryAfterMs).toBe(300);
  });
});
