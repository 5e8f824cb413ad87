import { BulwarkError, err } from '@bulwark/errors';
import { FakeClock, flushMicrotasks } from '@bulwark/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRetry, createRetryBudget, type RetryEvent, retry } from '../src/index.js';

const flaky = (failures: number, error: () => unknown = () => new Error('503')) => {
  let calls = 0;
  return vi.fn(async () => {
    calls += 1;
    if (calls <= failures) throw error();
    return `ok after ${calls}`;
  });
};

describe('retry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries with exponential backoff on injected timers, then resolves', async () => {
    const clock = new FakeClock();
    const events: RetryEvent[] = [];
    const fn = flaky(3);
    const pending = retry(fn, {
      retries: 3,
      minDelayMs: 100,
      jitter: 'none',
      timers: clock,
      onRetry: (e) => events.push(e),
    });
    await clock.advanceAsync(700);
    await expect(pending).resolves.toBe('ok after 4');
    expect(events.map((e) => [e.attemptNumber, e.delayMs, e.retriesLeft])).toEqual([
      [1, 100, 2],
      [2, 200, 1],
      [3, 400, 0],
    ]);
    expect(clock.now()).toBe(700);
  });

  it('makes 1 + retries attempts and rejects with the last error', async () => {
    const clock = new FakeClock();
    let n = 0;
    const fn = vi.fn(async () => {
      n += 1;
      throw new Error(`fail ${n}`);
    });
    const pending = retry(fn, { retries: 2, minDelayMs: 10, timers: clock }).catch((e: unknown) => e);
    await clock.advanceAsync(1_000);
    expect(await pending).toMatchObject({ message: 'fail 3' });
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('makes exactly one attempt with retries: 0', async () => {
    const fn = vi.fn(() => Promise.reject(new Error('once')));
    await expect(retry(fn, { retries: 0 })).rejects.toThrow('once');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('passes the attempt number and the caller signal to fn', async () => {
    const controller = new AbortController();
    const seen: Array<[number, AbortSignal]> = [];
    await retry(
      ({ attemptNumber, signal }) => {
        seen.push([attemptNumber, signal]);
        if (attemptNumber < 2) throw new Error('again');
        return 'ok';
      },
      { minDelayMs: 0, signal: controller.signal },
    );
    expect(seen).toEqual([
      [1, controller.signal],
      [2, controller.signal],
    ]);
  });

  it('works with vi fake timers and the default timers', async () => {
    vi.useFakeTimers();
    const fn = flaky(1);
    const pending = retry(fn, { retries: 1, minDelayMs: 1_000, jitter: 'none' });
    await vi.advanceTimersByTimeAsync(999);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe('ok after 2');
  });

  describe('never retries', () => {
    it.each([
      ['circuit_open', () => new BulwarkError({ code: 'circuit_open', status: 503, retryable: true })],
      ['bulkhead_full', () => new BulwarkError({ code: 'bulkhead_full', status: 503, retryable: true })],
      ['retryable: false Bulwark errors', () => err('not_found')],
      ['errors flagged retryable: false', () => Object.assign(new Error('no'), { retryable: false })],
      ['programming TypeErrors (p-retry)', () => new TypeError('x is not a function')],
    ])('%s', async (_name, make) => {
      const error = make();
      const fn = vi.fn(() => Promise.reject(error));
      await expect(retry(fn, { retries: 5, minDelayMs: 0 })).rejects.toBe(error);
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('caller aborts during an attempt', async () => {
      const controller = new AbortController();
      const fn = vi.fn(async () => {
        controller.abort(new Error('caller gone'));
        throw new Error('aborted fetch');
      });
      await expect(retry(fn, { retries: 5, minDelayMs: 0, signal: controller.signal })).rejects.toThrow();
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('caller aborts during the wait, leaving no timer behind', async () => {
      const clock = new FakeClock();
      const controller = new AbortController();
      const fn = vi.fn(() => Promise.reject(new Error('503')));
      const pending = retry(fn, { retries: 5, minDelayMs: 1_000, timers: clock, signal: controller.signal });
      await flushMicrotasks();
      expect(clock.pendingTimers).toBe(1);
      const reason = new Error('shutdown');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      expect(clock.pendingTimers).toBe(0);
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('an already-aborted signal: fn never runs', async () => {
      const fn = vi.fn();
      await expect(retry(fn, { signal: AbortSignal.abort('no') })).rejects.toBe('no');
      expect(fn).not.toHaveBeenCalled();
    });
  });

  it('lets shouldRetry veto a retry (async too)', async () => {
    const fn = vi.fn(() => Promise.reject(new Error('4xx')));
    const shouldRetry = vi.fn(async () => false);
    await expect(retry(fn, { retries: 3, shouldRetry })).rejects.toThrow('4xx');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(shouldRetry).toHaveBeenCalledWith(expect.objectContaining({ attemptNumber: 1, retriesLeft: 2 }));
  });

  it('ignores an onRetry hook that throws', async () => {
    const fn = flaky(1);
    const onRetry = () => {
      throw new Error('hook bug');
    };
    await expect(retry(fn, { minDelayMs: 0, onRetry })).resolves.toBe('ok after 2');
  });

  describe('Retry-After', () => {
    const withHeader = (value: string) =>
      Object.assign(new Error('429'), { response: { headers: new Headers({ 'retry-after': value }) } });

    it('waits the seconds a Retry-After header asks for', async () => {
      const clock = new FakeClock();
      const events: RetryEvent[] = [];
      const fn = flaky(1, () => withHeader('3'));
      const pending = retry(fn, { timers: clock, clock, onRetry: (e) => events.push(e) });
      await clock.advanceAsync(2_999);
      expect(fn).toHaveBeenCalledTimes(1);
      await clock.advanceAsync(1);
      await expect(pending).resolves.toBe('ok after 2');
      expect(events[0]).toMatchObject({ delayMs: 3_000, fromRetryAfter: true });
    });

    it('honours an HTTP-date measured from the injected clock', async () => {
      const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
      const events: RetryEvent[] = [];
      const fn = flaky(1, () => withHeader('Thu, 01 Jan 2026 00:00:05 GMT'));
      const pending = retry(fn, { timers: clock, clock, onRetry: (e) => events.push(e) });
      await clock.advanceAsync(5_000);
      await expect(pending).resolves.toBe('ok after 2');
      expect(events[0]?.delayMs).toBe(5_000);
    });

    it('caps the wait at maxRetryAfterMs', async () => {
      const clock = new FakeClock();
      const events: RetryEvent[] = [];
      const fn = flaky(1, () => Object.assign(new Error('429'), { headers: new Headers({ 'retry-after': '3600' }) }));
      const pending = retry(fn, { timers: clock, clock, maxRetryAfterMs: 2_000, onRetry: (e) => events.push(e) });
      await clock.advanceAsync(2_000);
      await expect(pending).resolves.toBe('ok after 2');
      expect(events[0]?.delayMs).toBe(2_000);
    });

    it('reads retryAfterMs from Bulwark error extensions', async () => {
      const clock = new FakeClock();
      const events: RetryEvent[] = [];
      const fn = flaky(
        1,
        () => new BulwarkError({ code: 'email_rate_limited', retryable: true, extensions: { retryAfterMs: 250 } }),
      );
      const pending = retry(fn, { timers: clock, onRetry: (e) => events.push(e) });
      await clock.advanceAsync(250);
      await expect(pending).resolves.toBe('ok after 2');
      expect(events[0]?.delayMs).toBe(250);
    });

    it('falls back to the backoff when disabled or malformed', async () => {
      const clock = new FakeClock();
      const events: RetryEvent[] = [];
      const fn = flaky(2, () => withHeader('soon'));
      const pending = retry(fn, {
        timers: clock,
        jitter: 'none',
        minDelayMs: 10,
        onRetry: (e) => events.push(e),
      });
      await clock.advanceAsync(30);
      await expect(pending).resolves.toBe('ok after 3');
      expect(events.map((e) => e.delayMs)).toEqual([10, 20]);

      const ignoring: RetryEvent[] = [];
      const again = retry(
        flaky(1, () => withHeader('60')),
        {
          timers: clock,
          jitter: 'none',
          minDelayMs: 10,
          respectRetryAfter: false,
          onRetry: (e) => ignoring.push(e),
        },
      );
      await clock.advanceAsync(10);
      await expect(again).resolves.toBe('ok after 2');
      expect(ignoring[0]?.fromRetryAfter).toBe(false);
    });
  });

  describe('budget', () => {
    it('stops retrying when the shared budget is spent, so an outage does not multiply load', async () => {
      const clock = new FakeClock();
      const budget = createRetryBudget({ ratio: 0.5, minRetriesPerSecond: 0, windowMs: 10_000, clock });
      const fn = vi.fn(() => Promise.reject(new Error('down')));
      const calls = Array.from({ length: 4 }, () => retry(fn, { retries: 3, minDelayMs: 0, budget }).catch(() => {}));
      await Promise.all(calls);
      // 4 calls + at most 0.5 * 4 = 2 retries.
      expect(fn).toHaveBeenCalledTimes(6);
      expect(budget.snapshot()).toEqual({ calls: 4, retries: 2, available: 0 });
    });
  });

  describe('createRetry', () => {
    it('is a reusable policy with execute(fn(signal)) and run(fn(attempt))', async () => {
      const controller = new AbortController();
      const policy = createRetry({ retries: 1, minDelayMs: 0, signal: controller.signal });
      await expect(policy.execute((signal) => signal === controller.signal)).resolves.toBe(true);
      await expect(policy.run(flaky(1))).resolves.toBe('ok after 2');
      const other = new AbortController();
      await expect(policy.execute((signal) => signal === other.signal, { signal: other.signal })).resolves.toBe(true);
      await expect(policy.run(({ signal }) => signal === other.signal, { signal: other.signal })).resolves.toBe(true);
    });

    it('validates options once, naming them', async () => {
      expect(() => createRetry({ retries: -1 })).toThrow(/`retries`/);
      expect(() => createRetry({ retries: 1.5 })).toThrow(/`retries`/);
      expect(() => createRetry({ minDelayMs: -1 })).toThrow(/`minDelayMs`/);
      expect(() => createRetry({ minDelayMs: 100, maxDelayMs: 50 })).toThrow(/`maxDelayMs`/);
      expect(() => createRetry({ maxRetryAfterMs: -5 })).toThrow(/`maxRetryAfterMs`/);
      expect(() => createRetry({ jitter: 'decorrelated' as never })).toThrow(/`jitter`/);
      await expect(retry(() => 1, { retries: Number.NaN })).rejects.toThrow(/`retries`/);
    });
  });
});
