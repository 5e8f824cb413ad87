import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRetryBudget } from '../src/index.js';

describe('RetryBudget', () => {
  it('allows a minimum number of retries per second with no traffic', () => {
    const clock = new FakeClock();
    const budget = createRetryBudget({ ratio: 0, minRetriesPerSecond: 2, windowMs: 1_000, clock });
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    clock.advance(1_000);
    expect(budget.tryRetry()).toBe(true);
  });

  it('allows ratio × recent calls, forgetting calls that left the window', () => {
    const clock = new FakeClock();
    const budget = createRetryBudget({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 10_000, clock });
    for (let i = 0; i < 20; i++) budget.recordCall();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    clock.advance(9_000);
    expect(budget.snapshot()).toEqual({ calls: 20, retries: 2, available: 0 });
    clock.advance(1_000);
    expect(budget.snapshot()).toEqual({ calls: 0, retries: 0, available: 0 });
  });

  it('never lets retries exceed ratio × calls + reserve within a window (property)', () => {
    const op = fc.record({ kind: fc.constantFrom('call', 'retry'), gap: fc.integer({ min: 0, max: 400 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (ops, ratio) => {
        const clock = new FakeClock(0);
        const budget = createRetryBudget({ ratio, minRetriesPerSecond: 1, windowMs: 2_000, clock });
        for (const { kind, gap } of ops) {
          clock.advance(gap);
          if (kind === 'call') budget.recordCall();
          else budget.tryRetry();
          const { calls, retries } = budget.snapshot();
          expect(retries).toBeLessThanOrEqual(ratio * calls + 2 + 1e-9);
        }
      }),
    );
  });

  it('uses the wall clock by default and validates options by name', () => {
    expect(createRetryBudget().tryRetry()).toBe(true);
    expect(() => createRetryBudget({ ratio: -1 })).toThrow(/`ratio`/);
    expect(() => createRetryBudget({ minRetriesPerSecond: Number.NaN })).toThrow(/`minRetriesPerSecond`/);
    expect(() => createRetryBudget({ windowMs: 0 })).toThrow(/`windowMs`/);
  });
});
