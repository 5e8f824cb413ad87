import { describe, expect, it, vi } from 'vitest';
import type { FailureEvent, OpenEvent, StateChangeEvent } from '../src/index.js';
import { boom, deferred, makeBreaker, ok, openBreaker, settle } from './helpers.js';

describe('why a breaker tripped', () => {
  it('puts the failure-rate reason and the window numbers before the reset on the open event', async () => {
    const { breaker } = makeBreaker({ minimumCalls: 4, failureRateThreshold: 50 });
    const opened: OpenEvent[] = [];
    const changes: StateChangeEvent[] = [];
    breaker.on('open', (e) => opened.push(e));
    breaker.on('state_change', (e) => changes.push(e));
    await breaker.execute(ok);
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    await settle(breaker.execute(boom));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.trip).toEqual({
      reason: 'failure_rate',
      source: 'window',
      calls: 4,
      failures: 2,
      slowCalls: 0,
      failureRate: 50,
      slowCallRate: 0,
      failureRateThreshold: 50,
      slowCallRateThreshold: 100,
    });
    expect(changes[0]?.trip).toBe(opened[0]?.trip);
    expect(Object.isFrozen(opened[0]?.trip)).toBe(true);
    expect(breaker.snapshot().window.calls).toBe(0); // the counters did reset
    expect(breaker.snapshot().trip).toBe(opened[0]?.trip);
  });

  it('names the slow-call rate when that is what tripped', async () => {
    const { breaker, clock } = makeBreaker({ slowCallDurationMs: 100, slowCallRateThreshold: 50, minimumCalls: 2 });
    const opened = vi.fn();
    breaker.on('open', opened);
    for (let i = 0; i < 2; i++) {
      const call = deferred();
      const pending = breaker.execute(() => call.promise);
      clock.advance(100);
      call.resolve('slow');
      await pending;
    }
    expect(opened.mock.calls[0]?.[0].trip).toMatchObject({
      reason: 'slow_call_rate',
      calls: 2,
      slowCalls: 2,
      slowCallRate: 100,
    });
  });

  it('names the slow-call rate of timeouts on an untimed breaker, and of half-open trials', async () => {
    const { breaker, clock } = makeBreaker({
      timeoutMs: 50,
      failureRateThreshold: 100,
      slowCallRateThreshold: 50,
      minimumCalls: 4,
      halfOpenPermits: 2,
    });
    const hang = () => new Promise<string>(() => {});
    await breaker.execute(ok);
    await breaker.execute(ok);
    const timeouts = [breaker.execute(hang), breaker.execute(hang)];
    clock.advance(50);
    await Promise.allSettled(timeouts);
    expect(breaker.snapshot().trip).toMatchObject({
      reason: 'slow_call_rate',
      source: 'window',
      calls: 4,
      slowCalls: 2,
    });
    clock.advance(1_000);
    const trial = breaker.execute(hang);
    await breaker.execute(ok);
    clock.advance(50);
    await settle(trial);
    expect(breaker.snapshot().trip).toMatchObject({ reason: 'slow_call_rate', source: 'half_open_trials', calls: 2 });
  });

  it('has no trip in the snapshot once closed again, nor on transitions to other states', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    const changes: StateChangeEvent[] = [];
    breaker.on('state_change', (e) => changes.push(e));
    await openBreaker(breaker);
    clock.advance(1_000);
    expect(breaker.snapshot().trip).toMatchObject({ reason: 'failure_rate' });
    await breaker.execute(ok);
    expect(breaker.snapshot().trip).toBeNull();
    expect(changes.map((e) => [e.to, 'trip' in e])).toEqual([
      ['open', true],
      ['half_open', false],
      ['closed', false],
    ]);
  });
});

describe('isFailureResult (recordResult)', () => {
  const response = (status: number) => ({ status });
  const is5xx = (r: unknown) => (r as { status: number }).status >= 500;

  it('counts a returned 503 as a failure, still returns it, and opens on such results', async () => {
    const { breaker } = makeBreaker({ isFailureResult: is5xx, minimumCalls: 2 });
    const failures: FailureEvent[] = [];
    breaker.on('failure', (e) => failures.push(e));
    await expect(breaker.execute(() => response(503))).resolves.toEqual({ status: 503 });
    await expect(breaker.execute(async () => response(503))).resolves.toEqual({ status: 503 });
    expect(breaker.state).toBe('open');
    expect(failures[0]).toMatchObject({ error: undefined, result: { status: 503 }, timeout: false });
  });

  it('counts other results as successes, on every call path (plain, timed, guarded)', async () => {
    for (const extra of [{}, { slowCallDurationMs: 1_000 }, { timeoutMs: 1_000 }]) {
      const { breaker } = makeBreaker({ isFailureResult: is5xx, minimumCalls: 2, ...extra });
      await breaker.execute(() => response(200));
      await breaker.execute(() => response(404));
      expect(breaker.snapshot().window).toMatchObject({ calls: 2, failures: 0 });
      await breaker.execute(() => response(500));
      expect(breaker.snapshot().window.failures + (breaker.state === 'open' ? 1 : 0)).toBeGreaterThan(0);
    }
  });

  it('counts a call whose predicate throws as a failure, and keeps the half-open permit accounted', async () => {
    const { breaker, clock } = makeBreaker({
      isFailureResult: () => {
        throw new Error('bad predicate');
      },
      halfOpenPermits: 1,
    });
    await openBreaker(breaker);
    clock.advance(1_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('open');
  });

  it('settles a half-open trial with a failing result as a failed trial', async () => {
    const { breaker, clock } = makeBreaker({ isFailureResult: is5xx, halfOpenPermits: 1 });
    await openBreaker(breaker);
    clock.advance(1_000);
    await breaker.execute(() => response(503));
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().trip).toMatchObject({ source: 'half_open_trials', calls: 1, failures: 1 });
  });
});

describe('open-state wait backoff', () => {
  it('multiplies the open wait on each consecutive reopen, capped, and resets when closed', async () => {
    const { breaker, clock } = makeBreaker({
      openWaitMs: 1_000,
      openWaitMultiplier: 2,
      maxOpenWaitMs: 5_000,
      halfOpenPermits: 1,
    });
    await openBreaker(breaker);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      waits.push(breaker.snapshot().retryAfterMs as number);
      clock.advance(waits[i] as number);
      expect(breaker.state).toBe('half_open');
      await settle(breaker.execute(boom));
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    clock.advance(4_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    await openBreaker(breaker);
    expect(breaker.snapshot().retryAfterMs).toBe(1_000);
  });

  it('keeps a constant wait by default', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    await openBreaker(breaker);
    for (let i = 0; i < 3; i++) {
      expect(breaker.snapshot().retryAfterMs).toBe(1_000);
      clock.advance(1_000);
      await settle(breaker.execute(boom));
    }
  });

  it('survives a multiplier whose power overflows, and a zero wait (never NaN)', async () => {
    const huge = makeBreaker({
      openWaitMs: 1_000,
      openWaitMultiplier: 1e300,
      maxOpenWaitMs: 7_000,
      halfOpenPermits: 1,
    });
    await openBreaker(huge.breaker);
    for (let i = 0; i < 4; i++) {
      huge.clock.advance(huge.breaker.snapshot().retryAfterMs as number);
      await settle(huge.breaker.execute(boom));
    }
    expect(huge.breaker.snapshot().retryAfterMs).toBe(7_000);
    const zero = makeBreaker({ openWaitMs: 0, openWaitMultiplier: 1e300, halfOpenPermits: 1 });
    await openBreaker(zero.breaker);
    for (let i = 0; i < 400; i++) await settle(zero.breaker.execute(boom));
    expect(zero.breaker.state).toBe('half_open');
  });

  it('validates the backoff options, naming them', () => {
    expect(() => makeBreaker({ openWaitMultiplier: 0.5 })).toThrow('`openWaitMultiplier`');
    expect(() => makeBreaker({ openWaitMultiplier: Number.NaN })).toThrow(TypeError);
    expect(() => makeBreaker({ openWaitMultiplier: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => makeBreaker({ openWaitMs: 1_000, maxOpenWaitMs: 999 })).toThrow('`maxOpenWaitMs`');
    expect(() => makeBreaker({ maxOpenWaitMs: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => makeBreaker({ isFailureResult: 'yes' as unknown as () => boolean })).toThrow('`isFailureResult`');
  });
});
