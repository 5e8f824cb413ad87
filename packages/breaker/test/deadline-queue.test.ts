import { FakeClock, flushMicrotasks } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeadlineEntry, DeadlineQueue } from '../src/deadline-queue.js';
import { isCallTimeoutError } from '../src/index.js';
import { deferred, makeBreaker } from './helpers.js';

function entry(deadline: number, expired: number[]): DeadlineEntry & { settle(): void; settled: boolean } {
  return {
    deadline,
    settled: false,
    expire() {
      this.settled = true;
      expired.push(deadline);
    },
    settle() {
      this.settled = true;
    },
  };
}

describe('timeouts share one timer per breaker', () => {
  it('serves every call in flight with one timer (one setTimeout, not one per call)', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 1_000, failureRateThreshold: 100 });
    const calls = Array.from({ length: 100 }, () => breaker.execute(() => deferred().promise).catch((e) => e));
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1_000);
    const errors = await Promise.all(calls);
    expect(errors.every(isCallTimeoutError)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('expires each call exactly at its own start + timeoutMs, whatever settles in between (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            startGap: fc.integer({ min: 0, max: 600 }),
            settleAfter: fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: undefined }),
            declaresSignal: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (plan) => {
          // Never trips: every call runs, so each outcome is its own success or timeout.
          const { breaker, clock } = makeBreaker({
            timeoutMs: 1_000,
            window: { type: 'count', size: 100 },
            minimumCalls: 100,
          });
          const t0 = clock.now();
          const starts: number[] = [];
          let offset = 0;
          for (const step of plan) {
            offset += step.startGap;
            starts.push(offset);
          }
          const outcomes: Array<{ at: number; timeout: boolean } | undefined> = plan.map(() => undefined);
          const errors: unknown[] = plan.map(() => undefined);
          const signals: Array<AbortSignal | undefined> = plan.map(() => undefined);
          const calls = plan.map(() => deferred());
          // One timeline, 1 ms at a time: timers due at a millisecond fire before the calls that
          // start or settle in it.
          for (let at = 0; at <= offset + 1_600; at++) {
            clock.set(t0 + at);
            await flushMicrotasks();
            for (const [i, step] of plan.entries()) {
              if (starts[i] === at) {
                const promise = (calls[i] as { promise: Promise<string> }).promise;
                // A function that declares the signal gets its own; one that does not gets none.
                const fn = step.declaresSignal
                  ? (signal: AbortSignal) => {
                      signals[i] = signal;
                      return promise;
                    }
                  : () => promise;
                breaker.execute(fn).then(
                  () => {
                    outcomes[i] = { at: clock.now() - t0, timeout: false };
                  },
                  (error: unknown) => {
                    errors[i] = error;
                    outcomes[i] = { at: clock.now() - t0, timeout: isCallTimeoutError(error) };
                  },
                );
              }
              if (step.settleAfter !== undefined && (starts[i] as number) + step.settleAfter === at) {
                calls[i]?.resolve('ok');
              }
            }
            await flushMicrotasks();
          }
          for (const [i, step] of plan.entries()) {
            const deadline = (starts[i] as number) + 1_000;
            const settledFirst = step.settleAfter !== undefined && step.settleAfter < 1_000;
            expect(outcomes[i]).toEqual(
              settledFirst
                ? { at: (starts[i] as number) + (step.settleAfter as number), timeout: false }
                : { at: deadline, timeout: true },
            );
            const signal = signals[i];
            if (step.declaresSignal) {
              // Aborted exactly when the call timed out, with the error it rejected with.
              expect(signal?.aborted).toBe(!settledFirst);
              if (!settledFirst) expect(signal?.reason).toBe(errors[i]);
            }
          }
          const own = signals.filter((s) => s !== undefined);
          expect(new Set(own).size).toBe(own.length);
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('calls with a caller signal and no timeout', () => {
  it('are still timed when slow calls count', async () => {
    const { breaker, clock } = makeBreaker({ slowCallDurationMs: 100, slowCallRateThreshold: 50, minimumCalls: 2 });
    const call = deferred();
    const pending = breaker.execute(() => call.promise, { signal: new AbortController().signal });
    clock.advance(100);
    call.resolve('late but fine');
    await pending;
    expect(breaker.snapshot().window).toMatchObject({ calls: 1, slowCalls: 1 });
  });
});

describe('DeadlineQueue', () => {
  it('expires, when a late timer fires, every entry already due, and re-arms for the next', () => {
    const clock = new FakeClock(0);
    const queue = new DeadlineQueue(clock, clock, 100);
    const expired: number[] = [];
    for (const d of [100, 150, 300]) queue.add(entry(d, expired));
    clock.set(99);
    expect(expired).toEqual([]);
    clock.set(200);
    expect(expired).toEqual([100, 150]);
    expect(clock.pendingTimers).toBe(1);
    clock.set(300);
    expect(expired).toEqual([100, 150, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps the timer authoritative for the entry it was armed for, whatever the clock says', () => {
    const clock = new FakeClock(0);
    const lagging = { now: () => 0 };
    const queue = new DeadlineQueue(lagging, clock, 100);
    const expired: number[] = [];
    queue.add(entry(100, expired));
    queue.add(entry(130, expired));
    clock.set(100);
    expect(expired).toEqual([100]);
    clock.set(130);
    expect(expired).toEqual([100, 130]);
  });

  it('stays bounded when a stuck call sits in front of many settled ones (compaction)', () => {
    const clock = new FakeClock(0);
    const queue = new DeadlineQueue(clock, clock, 10_000);
    const expired: number[] = [];
    queue.add(entry(10_000, expired)); // never settles
    for (let i = 0; i < 10_000; i++) {
      const e = entry(10_000, expired);
      queue.add(e);
      e.settle();
      queue.settled();
    }
    expect(queue.size).toBeLessThanOrEqual(2 * 1 + 64 + 1);
    clock.set(10_000);
    expect(expired).toEqual([10_000]);
    expect(queue.size).toBe(0);
  });

  it('holds no settled entry once empty, reuses its slots, and releases them after a burst', () => {
    const clock = new FakeClock(0);
    const queue = new DeadlineQueue(clock, clock, 100);
    const slots = () => (queue as unknown as { entries: unknown[] }).entries;
    const expired: number[] = [];
    const burst = Array.from({ length: 5_000 }, () => entry(100, expired));
    for (const e of burst) queue.add(e);
    for (const e of burst) {
      e.settle();
      queue.settled();
    }
    expect(queue.size).toBe(0);
    expect(slots().length).toBe(0); // a burst's storage is not kept
    for (let i = 0; i < 3; i++) {
      const e = entry(100, expired);
      queue.add(e);
      e.settle();
      queue.settled();
      expect(slots().every((slot) => slot === undefined)).toBe(true); // nothing retained
    }
    const kept = slots();
    const late = entry(150, expired);
    queue.add(late);
    expect(slots()).toBe(kept); // the same array, no new storage per call
    clock.set(150);
    expect(expired).toEqual([150]);
    expect(slots().every((slot) => slot === undefined)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets an entry settle while another expires (a listener aborting a call) and drops it after', () => {
    const clock = new FakeClock(0);
    const queue = new DeadlineQueue(clock, clock, 100);
    const expired: number[] = [];
    const second = entry(150, expired);
    queue.add({
      deadline: 100,
      settled: false,
      expire() {
        expired.push(100);
        second.settle();
        queue.settled();
      },
    });
    queue.add(second);
    queue.add(entry(300, expired));
    clock.set(100);
    expect(queue.size).toBe(1);
    clock.set(300);
    expect(expired).toEqual([100, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('accepts entries added while expiring (an event listener starting a call) without a second timer', () => {
    const clock = new FakeClock(0);
    const queue = new DeadlineQueue(clock, clock, 100);
    const expired: number[] = [];
    const first = entry(100, expired);
    queue.add({
      get deadline() {
        return first.deadline;
      },
      get settled() {
        return first.settled;
      },
      expire() {
        first.expire();
        queue.add(entry(200, expired));
      },
    });
    clock.set(100);
    expect(clock.pendingTimers).toBe(1);
    clock.set(200);
    expect(expired).toEqual([100, 200]);
  });
});
