import { flushMicrotasks } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  type BreakerMetricName,
  BrokenCircuitError,
  isBrokenCircuitError,
  isCallTimeoutError,
  type StateChangeEvent,
} from '../src/index.js';
import { boom, deferred, makeBreaker, ok, openBreaker, settle } from './helpers.js';

describe('CircuitBreaker — 1. sliding windows and thresholds', () => {
  it('does not trip before minimumCalls calls are recorded', async () => {
    const { breaker } = makeBreaker({ minimumCalls: 4 });
    for (let i = 0; i < 3; i++) await settle(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
  });

  it('trips when the failure rate reaches the threshold (>=)', async () => {
    const { breaker } = makeBreaker({ minimumCalls: 4, failureRateThreshold: 50 });
    await breaker.execute(ok);
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
  });

  it('stays closed below the threshold and evicts old calls from a count window', async () => {
    const { breaker } = makeBreaker({ window: { type: 'count', size: 4 }, minimumCalls: 4, failureRateThreshold: 75 });
    await settle(breaker.execute(boom));
    await settle(breaker.execute(boom));
    for (let i = 0; i < 4; i++) await breaker.execute(ok);
    await settle(breaker.execute(boom));
    await settle(breaker.execute(boom));
    expect(breaker.snapshot().window).toMatchObject({ calls: 4, failures: 2, failureRate: 50 });
    expect(breaker.state).toBe('closed');
  });

  it('trips on the slow-call rate, measured with the injected clock', async () => {
    const { breaker, clock } = makeBreaker({ slowCallDurationMs: 100, slowCallRateThreshold: 50, minimumCalls: 2 });
    const slowCall = async (): Promise<void> => {
      const call = deferred();
      const pending = breaker.execute(() => call.promise);
      clock.advance(100);
      call.resolve('late but fine');
      await pending;
    };
    await slowCall();
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, slowCalls: 1, failures: 0 });
    await slowCall();
    expect(breaker.state).toBe('open');
  });

  it('forgets failures older than a time window, without timers', async () => {
    const { breaker, clock } = makeBreaker({ window: { type: 'time', sizeMs: 10_000 }, minimumCalls: 4 });
    for (let i = 0; i < 3; i++) await settle(breaker.execute(boom));
    clock.advance(10_000);
    expect(clock.pendingTimers).toBe(0);
    expect(breaker.snapshot().window.calls).toBe(0);
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 3; i++) await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
  });

  it('never counts short-circuited calls', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    await openBreaker(breaker);
    const fn = vi.fn(ok);
    for (let i = 0; i < 5; i++) await settle(breaker.execute(fn));
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.snapshot().window.calls).toBe(0);
    clock.advance(1_000);
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().window.calls).toBe(0);
  });
});

describe('CircuitBreaker — 2. transitions reset counters; exactly one open', () => {
  it('opens exactly once when many concurrent failures cross the threshold together', async () => {
    const metrics: BreakerMetricName[] = [];
    const { breaker } = makeBreaker({ onMetric: (name) => metrics.push(name) });
    const changes: StateChangeEvent[] = [];
    breaker.on('state_change', (e) => changes.push(e));
    const opened = vi.fn();
    breaker.on('open', opened);
    const calls = Array.from({ length: 50 }, () => deferred());
    const pending = calls.map((call) => breaker.execute(() => call.promise));
    for (const call of calls) call.reject(new Error('boom'));
    await Promise.allSettled(pending);
    expect(breaker.state).toBe('open');
    expect(opened).toHaveBeenCalledTimes(1);
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual(['closed>open']);
    expect(metrics).toEqual(['breaker.open']);
  });

  it('starts every state with empty counters', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    await openBreaker(breaker);
    expect(breaker.snapshot().window.calls).toBe(0);
    clock.advance(1_000);
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    // Three failures after closing do not trip: the four before the open are gone.
    for (let i = 0; i < 3; i++) await settle(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().window).toMatchObject({ calls: 3, failures: 3 });
  });
});

describe('CircuitBreaker — 3. OPEN → HALF_OPEN from the clock', () => {
  it('moves to HALF_OPEN lazily after openWaitMs, with no timer', async () => {
    const { breaker, clock } = makeBreaker({ openWaitMs: 1_000 });
    await openBreaker(breaker);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
  });

  it('reports retryAfterMs counting down while open', async () => {
    const { breaker, clock } = makeBreaker({ openWaitMs: 1_000 });
    await openBreaker(breaker);
    clock.advance(400);
    const error = await breaker.execute(ok).catch((e: unknown) => e);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'circuit_open', reason: 'open', retryAfterMs: 600, breaker: 'test' });
    expect(breaker.snapshot().retryAfterMs).toBe(600);
  });

  it('with autoHalfOpen, moves on an unref’d timer that dispose() clears', async () => {
    const { breaker, clock } = makeBreaker({ autoHalfOpen: true });
    const halfOpened = vi.fn();
    breaker.on('half_open', halfOpened);
    await openBreaker(breaker);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1_000);
    expect(halfOpened).toHaveBeenCalledTimes(1);
    expect(clock.pendingTimers).toBe(0);

    const second = makeBreaker({ autoHalfOpen: true });
    await openBreaker(second.breaker);
    expect(second.clock.pendingTimers).toBe(1);
    second.breaker.dispose();
    expect(second.clock.pendingTimers).toBe(0);
  });

  it('unrefs the auto-transition timer but not per-call timeouts (pending work keeps the process alive)', async () => {
    const { clock } = makeBreaker();
    const setTimeoutSpy = vi.spyOn(clock, 'setTimeout');
    const { breaker } = makeBreaker({ autoHalfOpen: true, timeoutMs: 50, clock, timers: clock });
    await openBreaker(breaker);
    const calls = setTimeoutSpy.mock.calls as unknown[][];
    expect(calls.filter((call) => call[1] === 1_000).map((call) => call[2])).toEqual([{ unref: true }]);
    expect(calls.filter((call) => call[1] === 50).map((call) => call[2])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('with autoHalfOpen, clears the timer when the state leaves OPEN early', async () => {
    const { breaker, clock } = makeBreaker({ autoHalfOpen: true });
    await openBreaker(breaker);
    breaker.reset();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('CircuitBreaker — 4. HALF_OPEN permits', () => {
  it('admits exactly halfOpenPermits trials in the same tick and fails the rest fast', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 2, maxHalfOpenWaitMs: 5_000 });
    await openBreaker(breaker);
    clock.advance(1_000);
    const trial = deferred();
    const fn = vi.fn(() => trial.promise);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => breaker.execute(fn)).slice(2));
    expect(fn).toHaveBeenCalledTimes(2);
    expect(results.every((r) => r.status === 'rejected' && isBrokenCircuitError(r.reason))).toBe(true);
    const first = results[0] as PromiseRejectedResult;
    expect(first.reason).toMatchObject({ reason: 'half_open_full', retryAfterMs: 1_000 });
  });

  it('waits for every trial outcome before deciding, then closes', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 2 });
    await openBreaker(breaker);
    clock.advance(1_000);
    const a = deferred();
    const b = deferred();
    const pa = breaker.execute(() => a.promise);
    const pb = breaker.execute(() => b.promise);
    a.resolve('ok');
    await pa;
    expect(breaker.state).toBe('half_open');
    expect(breaker.snapshot().halfOpen).toEqual({ permits: 2, issued: 2, settled: 1, failures: 0 });
    b.resolve('ok');
    await pb;
    expect(breaker.state).toBe('closed');
  });

  it('reopens when the trials fail at the threshold, reporting breaker.reopen', async () => {
    const metrics: BreakerMetricName[] = [];
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 2, onMetric: (name) => metrics.push(name) });
    await openBreaker(breaker);
    clock.advance(1_000);
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
    expect(metrics).toEqual(['breaker.open', 'breaker.half_open', 'breaker.reopen']);
  });

  it('reopens after maxHalfOpenWaitMs when a trial never settles', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1, maxHalfOpenWaitMs: 2_000 });
    await openBreaker(breaker);
    clock.advance(1_000);
    void breaker.execute(() => new Promise(() => {}));
    expect(breaker.state).toBe('half_open');
    clock.advance(1_999);
    expect(breaker.state).toBe('half_open');
    clock.advance(1);
    expect(breaker.state).toBe('open');
    clock.advance(1_000);
    expect(breaker.state).toBe('half_open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker — 5. generations', () => {
  it('ignores a late success of a call admitted before the breaker opened', async () => {
    const { breaker } = makeBreaker();
    const slow = deferred();
    const late = breaker.execute(() => slow.promise);
    await openBreaker(breaker);
    slow.resolve('late');
    await expect(late).resolves.toBe('late');
    expect(breaker.state).toBe('open');
  });

  it('does not let an old call settle a half-open trial', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    const old = deferred();
    const late = breaker.execute(() => old.promise);
    await openBreaker(breaker);
    clock.advance(1_000);
    expect(breaker.state).toBe('half_open');
    old.resolve('late');
    await late;
    expect(breaker.snapshot().halfOpen).toMatchObject({ issued: 0, settled: 0 });
    expect(breaker.state).toBe('half_open');
  });
});

describe('CircuitBreaker — 6. timeouts', () => {
  it('rejects with call_timeout, aborts the per-call signal and counts a slow failure', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100, slowCallDurationMs: 5_000 });
    const failures = vi.fn();
    const successes = vi.fn();
    breaker.on('failure', failures);
    breaker.on('success', successes);
    let seen: AbortSignal | undefined;
    const call = deferred();
    const pending = breaker.execute((signal) => {
      seen = signal;
      return call.promise;
    });
    const outcome = pending.catch((e: unknown) => e);
    clock.advance(100);
    const error = await outcome;
    expect(isCallTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'call_timeout', timeoutMs: 100 });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
    expect(failures).toHaveBeenCalledWith(expect.objectContaining({ timeout: true, slow: true, durationMs: 100 }));
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 1, slowCalls: 1 });
    call.resolve('late');
    await flushMicrotasks();
    expect(successes).not.toHaveBeenCalled();
    expect(breaker.snapshot().window.calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('creates an AbortController only for a function that declares the signal parameter', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100, failureRateThreshold: 100 });
    await breaker.execute(ok); // the shared never-aborting signal exists from here on
    let created = 0;
    const Real = AbortController;
    vi.stubGlobal(
      'AbortController',
      class extends Real {
        constructor() {
          super();
          created++;
        }
      },
    );
    try {
      const seen: AbortSignal[] = [];
      const withSignal = Array.from({ length: 20 }, () =>
        breaker
          .execute((signal) => {
            seen.push(signal);
            return deferred().promise;
          })
          .catch((e: unknown) => e),
      );
      const without = Array.from({ length: 30 }, () => breaker.execute(() => deferred().promise).catch((e) => e));
      expect(created).toBe(20);
      expect(new Set(seen).size).toBe(20);
      clock.advance(100);
      const errors = await Promise.all([...withSignal, ...without]);
      expect(errors.every(isCallTimeoutError)).toBe(true);
      expect(seen.every((signal, i) => signal.aborted && signal.reason === errors[i])).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('hands a function declared without parameters a signal that never aborts (rest and defaulted parameters see it)', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100 });
    let received: AbortSignal | undefined;
    let defaulted: AbortSignal | undefined;
    const outcome = breaker
      .execute((...args: AbortSignal[]) => {
        received = args[0];
        return deferred().promise;
      })
      .catch((e: unknown) => e);
    const second = breaker
      .execute((signal: AbortSignal = AbortSignal.abort()) => {
        defaulted = signal;
        return deferred().promise;
      })
      .catch((e: unknown) => e);
    clock.advance(100);
    expect(isCallTimeoutError(await outcome)).toBe(true);
    expect(isCallTimeoutError(await second)).toBe(true);
    expect(received).toBeInstanceOf(AbortSignal);
    expect(received?.aborted).toBe(false);
    expect(defaulted?.aborted).toBe(false);
  });

  it('turns a throwing `length` (a hostile Proxy) into a rejection that counts, leaving no deadline behind', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100 });
    const error = new Error('length');
    const hostile = new Proxy(() => Promise.resolve('never'), {
      get(target, key) {
        if (key === 'length') throw error;
        return Reflect.get(target, key);
      },
    });
    await expect(breaker.execute(hostile)).rejects.toBe(error);
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 1 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('ignores a late rejection after the timeout', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100 });
    const call = deferred();
    const outcome = breaker.execute(() => call.promise).catch((e: unknown) => e);
    clock.advance(100);
    expect(isCallTimeoutError(await outcome)).toBe(true);
    call.reject(new Error('late failure'));
    await flushMicrotasks();
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 1 });
  });

  it('clears the timer when the call settles first', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100 });
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await settle(breaker.execute(boom));
    expect(clock.pendingTimers).toBe(0);
  });

  it('a timed-out trial releases its permit as a failure and reopens', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 100, halfOpenPermits: 1 });
    await openBreaker(breaker);
    clock.advance(1_000);
    const pending = settle(breaker.execute(() => new Promise(() => {})));
    clock.advance(100);
    await pending;
    expect(breaker.state).toBe('open');
  });

  it('turns a synchronous throw into a rejection that counts', async () => {
    const { breaker } = makeBreaker({ timeoutMs: 100 });
    const error = new Error('sync');
    await expect(
      breaker.execute(() => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(breaker.snapshot().window.failures).toBe(1);
  });
});

describe('CircuitBreaker — 7. caller aborts', () => {
  it('rejects before fn runs when the signal is already aborted', async () => {
    const { breaker } = makeBreaker();
    const reason = new Error('caller gone');
    const fn = vi.fn(ok);
    await expect(breaker.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.snapshot().window.calls).toBe(0);
  });

  it('rejects with the reason, records nothing and releases the permit', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    await openBreaker(breaker);
    clock.advance(1_000);
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const pending = breaker.execute(
      (signal) => {
        seen = signal;
        return new Promise(() => {});
      },
      { signal: controller.signal },
    );
    const reason = new Error('user navigated away');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(breaker.snapshot().halfOpen).toMatchObject({ issued: 0, settled: 0 });
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });

  it('aborts the per-call signal with the caller’s reason when a timeout is also set', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 1_000 });
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const pending = breaker.execute(
      (signal) => {
        seen = signal;
        return new Promise(() => {});
      },
      { signal: controller.signal },
    );
    controller.abort('stop');
    await expect(pending).rejects.toBe('stop');
    expect(seen?.reason).toBe('stop');
    expect(clock.pendingTimers).toBe(0);
    expect(breaker.snapshot().window.calls).toBe(0);
  });

  it('counts a call normally when the caller’s signal never aborts', async () => {
    const { breaker } = makeBreaker();
    const controller = new AbortController();
    await expect(breaker.execute(ok, { signal: controller.signal })).resolves.toBe('ok');
    await settle(breaker.execute(boom, { signal: controller.signal }));
    expect(breaker.snapshot().window).toMatchObject({ calls: 2, failures: 1 });
  });
});

describe('CircuitBreaker — 8. ignored errors and classification', () => {
  class Ignorable extends Error {}

  it('counts ignored errors as nothing while closed', async () => {
    const ignored = vi.fn();
    const { breaker } = makeBreaker({ isIgnored: (e) => e instanceof Ignorable });
    breaker.on('ignored', ignored);
    const error = new Ignorable();
    for (let i = 0; i < 10; i++) await settle(breaker.execute(() => Promise.reject(error)));
    expect(breaker.snapshot().window.calls).toBe(0);
    expect(ignored).toHaveBeenCalledWith({ breaker: 'test', error });
  });

  it('releases the half-open permit of an ignored trial', async () => {
    const { breaker, clock } = makeBreaker({ isIgnored: (e) => e instanceof Ignorable, halfOpenPermits: 1 });
    await openBreaker(breaker);
    clock.advance(1_000);
    await settle(breaker.execute(() => Promise.reject(new Ignorable())));
    expect(breaker.state).toBe('half_open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });

  it('ignores bulkhead_full and circuit_open by default', async () => {
    const { breaker } = makeBreaker();
    const nested = new BrokenCircuitError({ breaker: 'inner', reason: 'open', retryAfterMs: 5 });
    await settle(breaker.execute(() => Promise.reject(nested)));
    expect(breaker.snapshot().window.calls).toBe(0);
  });

  it('counts errors isFailure rejects as successes', async () => {
    const { breaker } = makeBreaker({ isFailure: (e) => !(e instanceof RangeError) });
    await settle(breaker.execute(() => Promise.reject(new RangeError('4xx'))));
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 0 });
  });

  it('counts a failure when a classifier throws', async () => {
    const { breaker } = makeBreaker({
      isFailure: () => {
        throw new Error('bad classifier');
      },
    });
    await settle(breaker.execute(boom));
    expect(breaker.snapshot().window.failures).toBe(1);
  });
});
