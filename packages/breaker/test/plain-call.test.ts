import { describe, expect, it } from 'vitest';
import type { CircuitBreakerOptions } from '../src/index.js';
import { boom, deferred, makeBreaker, ok, settle } from './helpers.js';

const untimed: CircuitBreakerOptions = {};
const timed: CircuitBreakerOptions = { slowCallDurationMs: 1_000 };

/** Which of two promises, started in this order, settles first. */
async function firstToSettle(ours: Promise<unknown>, reference: Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  await Promise.all([
    ours.then(
      () => order.push('breaker'),
      () => order.push('breaker'),
    ),
    reference.then(
      () => order.push('reference'),
      () => order.push('reference'),
    ),
  ]);
  return order;
}

/** The cheapest correct wrapper: what a plain call must not be slower than, in ticks. */
async function awaitWrapper<T>(fn: () => Promise<T> | T): Promise<T> {
  const result = await fn();
  return result;
}

describe.each([
  ['untimed', untimed],
  ['timed', timed],
])('CircuitBreaker — plain calls (no signal, no timeout), %s', (_, options) => {
  it('counts a synchronous throw as a failure and rejects with it', async () => {
    const { breaker } = makeBreaker(options);
    const failures: unknown[] = [];
    breaker.on('failure', (event) => failures.push(event.error));
    const error = new Error('sync');
    await expect(
      breaker.execute(() => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(failures).toEqual([error]);
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 1 });
  });

  it('resolves a synchronous value and counts a success', async () => {
    const { breaker } = makeBreaker(options);
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, failures: 0 });
  });

  it('passes a signal that never aborts', async () => {
    const { breaker } = makeBreaker(options);
    let seen: AbortSignal | undefined;
    await breaker.execute((signal) => {
      seen = signal;
      return ok();
    });
    expect(seen).toBeInstanceOf(AbortSignal);
    expect(seen?.aborted).toBe(false);
  });

  it('settles in the same tick as an await wrapper, for results and errors', async () => {
    const { breaker } = makeBreaker(options);
    expect(await firstToSettle(breaker.execute(ok), awaitWrapper(ok))).toEqual(['breaker', 'reference']);
    expect(await firstToSettle(breaker.execute(boom), awaitWrapper(boom))).toEqual(['breaker', 'reference']);
  });

  it('ignores results of calls admitted before a transition, and records those after it', async () => {
    const { breaker } = makeBreaker(options);
    const late = deferred();
    const lateFailure = deferred();
    const pending = breaker.execute(() => late.promise);
    const pendingFailure = breaker.execute(() => lateFailure.promise);
    breaker.reset();
    late.resolve('late');
    lateFailure.reject(new Error('late'));
    await expect(pending).resolves.toBe('late');
    await settle(pendingFailure);
    expect(breaker.snapshot().window.calls).toBe(0);
    await breaker.execute(ok);
    await settle(breaker.execute(boom));
    expect(breaker.snapshot().window).toMatchObject({ calls: 2, failures: 1 });
  });
});
