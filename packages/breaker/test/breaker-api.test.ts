import { FakeClock } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import { BrokenCircuitError, createCircuitBreaker, isBrokenCircuitError } from '../src/index.js';
import { boom, makeBreaker, ok, openBreaker, settle } from './helpers.js';

describe('CircuitBreaker — manual control', () => {
  it('forceOpen() rejects every call with circuit_open until reset()', async () => {
    const { breaker, clock } = makeBreaker();
    breaker.forceOpen();
    clock.advance(1_000_000);
    expect(breaker.state).toBe('forced_open');
    const error = await breaker.execute(ok).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(error).toMatchObject({ reason: 'forced_open', retryAfterMs: 1_000 });
    breaker.reset();
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('disable() lets every call through and records nothing', async () => {
    const { breaker } = makeBreaker();
    breaker.disable();
    for (let i = 0; i < 20; i++) await settle(breaker.execute(boom));
    expect(breaker.state).toBe('disabled');
    expect(breaker.snapshot().window.calls).toBe(0);
  });

  it('reset() closes an open breaker and ignores results of earlier calls', async () => {
    const { breaker } = makeBreaker();
    await openBreaker(breaker);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    breaker.reset();
    expect(breaker.snapshot().generation).toBe(3);
  });

  it('a listener that disables the breaker during a half-open transition lets the call through', async () => {
    const { breaker, clock } = makeBreaker();
    await openBreaker(breaker);
    breaker.on('half_open', () => breaker.disable());
    clock.advance(1_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('disabled');
  });
});

describe('CircuitBreaker — snapshot', () => {
  it('is frozen, JSON-ready and equal to toJSON()', async () => {
    const { breaker } = makeBreaker();
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    const snapshot = breaker.snapshot();
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(snapshot).toEqual({
      name: 'test',
      state: 'closed',
      generation: 0,
      since: 1_000_000,
      retryAfterMs: null,
      window: { type: 'count', calls: 2, failures: 1, slowCalls: 0, failureRate: 50, slowCallRate: 0 },
      trip: null,
      halfOpen: null,
      thresholds: {
        failureRateThreshold: 50,
        slowCallRateThreshold: 100,
        slowCallDurationMs: null,
        minimumCalls: 4,
        openWaitMs: 1_000,
      },
    });
    expect(JSON.parse(JSON.stringify(breaker))).toEqual(snapshot);
  });

  it('reports null rates before any call', () => {
    const { breaker } = makeBreaker();
    expect(breaker.snapshot().window).toMatchObject({ failureRate: null, slowCallRate: null });
  });
});

describe('createCircuitBreaker — options', () => {
  it('works with defaults on the wall clock', async () => {
    const breaker = createCircuitBreaker();
    expect(breaker.name).toBe('breaker');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.snapshot().thresholds).toEqual({
      failureRateThreshold: 50,
      slowCallRateThreshold: 100,
      slowCallDurationMs: null,
      minimumCalls: 20,
      openWaitMs: 30_000,
    });
  });

  it('reads no clock on the closed fast path unless slow calls or a time window need it', async () => {
    const { breaker, clock } = makeBreaker();
    const now = vi.spyOn(clock, 'now');
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    expect(now).not.toHaveBeenCalled();
    await settle(breaker.execute(boom));
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
    expect(now).toHaveBeenCalledTimes(2); // the transition's timestamp, then the state read
  });

  it('measures durations when slowCallDurationMs is set', async () => {
    const { breaker } = makeBreaker({ slowCallDurationMs: 1_000 });
    const durations: Array<number | undefined> = [];
    breaker.on('success', (e) => durations.push(e.durationMs));
    breaker.on('failure', (e) => durations.push(e.durationMs));
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    expect(durations).toEqual([0, 0]);
  });

  it('defaults a time window to 1 s buckets and minimumCalls 20', async () => {
    const clock = new FakeClock(0);
    const breaker = createCircuitBreaker({ window: { type: 'time', sizeMs: 500 }, clock });
    for (let i = 0; i < 20; i++) await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
  });

  it.each([
    [{ failureRateThreshold: 0 }, /`failureRateThreshold`.*\(0, 100\]/],
    [{ failureRateThreshold: 101 }, /`failureRateThreshold`/],
    [{ slowCallRateThreshold: Number.NaN }, /`slowCallRateThreshold`/],
    [{ slowCallDurationMs: -1 }, /`slowCallDurationMs`/],
    [{ minimumCalls: 0 }, /`minimumCalls`/],
    [{ window: { type: 'count', size: 5 }, minimumCalls: 6 }, /`minimumCalls`.*5\]/],
    [{ window: { type: 'count', size: 0 } }, /`window.size`/],
    [{ window: { type: 'time', sizeMs: 0 } }, /`window.sizeMs`/],
    [{ window: { type: 'time', sizeMs: 1_000, bucketMs: 2_000 } }, /`window.bucketMs`/],
    [{ window: { type: 'hourly' } }, /`window.type`/],
    [{ openWaitMs: -1 }, /`openWaitMs`/],
    [{ halfOpenPermits: 1.5 }, /`halfOpenPermits`/],
    [{ maxHalfOpenWaitMs: 0 }, /`maxHalfOpenWaitMs`/],
    [{ timeoutMs: 0 }, /`timeoutMs`/],
    [{ name: '' }, /`name`/],
  ])('rejects %o with a message naming the option', (options, message) => {
    expect(() => createCircuitBreaker(options as never)).toThrow(message);
  });
});

describe('BrokenCircuitError', () => {
  it('is a branded BulwarkError with problem extensions', () => {
    const error = new BrokenCircuitError({ breaker: 'payments', reason: 'half_open_full', retryAfterMs: 250 });
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(isBrokenCircuitError(new Error('x'))).toBe(false);
    expect(error).toMatchObject({ status: 503, retryable: true, name: 'BrokenCircuitError' });
    expect(error.extensions).toEqual({ breaker: 'payments', retryAfterMs: 250 });
    expect(error.detail).toContain('half-open');
    expect(new BrokenCircuitError({ breaker: 'p', reason: 'forced_open', retryAfterMs: 0 }).detail).toContain(
      'forced open',
    );
  });

  it('keeps the stack readable for logs', () => {
    const spy = vi.fn();
    spy(new BrokenCircuitError({ breaker: 'p', reason: 'open', retryAfterMs: 1 }).toJSON());
    expect(spy.mock.calls[0]?.[0]).toMatchObject({ code: 'circuit_open', status: 503 });
  });
});
