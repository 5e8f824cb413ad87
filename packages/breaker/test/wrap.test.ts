import { createRetry } from '@bulwark/retry';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import { createBulkhead, createCircuitBreaker, isBrokenCircuitError, isBulkheadFullError, wrap } from '../src/index.js';
import { deferred } from './helpers.js';

function setup(minimumCalls = 2) {
  const clock = new FakeClock(0);
  const breaker = createCircuitBreaker({
    name: 'dep',
    window: { type: 'count', size: 10 },
    minimumCalls,
    clock,
    timers: clock,
  });
  return { clock, breaker };
}

describe('wrap', () => {
  it('retries each attempt through the breaker, which counts every attempt', async () => {
    const { breaker } = setup(5);
    const policy = wrap({ retry: createRetry({ retries: 2, minDelayMs: 0 }), breaker });
    let n = 0;
    const fn = vi.fn(async () => {
      n += 1;
      if (n === 1) throw new Error('blip');
      return 'ok';
    });
    await expect(policy.execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(2);
    expect(breaker.snapshot().window).toMatchObject({ calls: 2, failures: 1 });
  });

  it('stops retrying at once when the breaker opens (circuit_open is never retried)', async () => {
    const { breaker } = setup();
    const policy = wrap({ retry: createRetry({ retries: 5, minDelayMs: 0 }), breaker });
    const fn = vi.fn(() => Promise.reject(new Error('down')));
    const error = await policy.execute(fn).catch((e: unknown) => e);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('puts the timeout innermost: call_timeout counts as a breaker failure', async () => {
    const { breaker, clock } = setup();
    const policy = wrap({ breaker, timeoutMs: 100, timers: clock });
    const pending = policy.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    clock.advance(100);
    expect(await pending).toMatchObject({ code: 'call_timeout' });
    expect(breaker.snapshot().window.failures).toBe(1);
  });

  it('puts the bulkhead inside the breaker: bulkhead_full is not a failure and not retried', async () => {
    const { breaker } = setup();
    const bulkhead = createBulkhead({ maxConcurrent: 1 });
    const policy = wrap({ retry: createRetry({ retries: 3, minDelayMs: 0 }), breaker, bulkhead });
    const gate = deferred();
    const first = policy.execute(() => gate.promise);
    const fn = vi.fn();
    const error = await policy.execute(fn).catch((e: unknown) => e);
    expect(isBulkheadFullError(error)).toBe(true);
    expect(fn).not.toHaveBeenCalled();
    gate.resolve('done');
    await expect(first).resolves.toBe('done');
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 0 });
  });

  it('hands the caller signal to every layer and to fn', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    const policy = wrap({
      retry: createRetry({ retries: 1 }),
      breaker,
      bulkhead: createBulkhead({ maxConcurrent: 2 }),
    });
    await expect(policy.execute((signal) => signal === controller.signal, { signal: controller.signal })).resolves.toBe(
      true,
    );
    const aborted = AbortSignal.abort('stop');
    await expect(policy.execute(() => 1, { signal: aborted })).rejects.toBe('stop');
  });

  it('with no layers, just runs fn', async () => {
    await expect(wrap({}).execute((signal) => signal.aborted)).resolves.toBe(false);
  });
});
