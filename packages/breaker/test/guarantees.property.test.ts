import { FakeClock, flushMicrotasks } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CircuitBreakerOptions,
  createCircuitBreaker,
  isBrokenCircuitError,
  type StateChangeEvent,
} from '../src/index.js';
import { boom, deferred, ok, settle } from './helpers.js';

/** Opens a fresh breaker (count window of 4, all failures) on a fake clock. */
async function opened(options: CircuitBreakerOptions) {
  const clock = new FakeClock(1_000_000);
  const breaker = createCircuitBreaker({
    window: { type: 'count', size: 4 },
    minimumCalls: 4,
    clock,
    timers: clock,
    ...options,
  });
  for (let i = 0; i < 4; i++) await settle(breaker.execute(boom));
  return { breaker, clock };
}

describe('breaker guarantees', () => {
  it('OPEN lasts exactly the hinted retryAfterMs: open 1 ms before, half-open at the edge (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1e12 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 6 }),
        async (openWaitMs, openWaitMultiplier, reopens) => {
          const { breaker, clock } = await opened({ openWaitMs, openWaitMultiplier, halfOpenPermits: 1 });
          for (let i = 0; i < reopens; i++) {
            clock.advance(breaker.snapshot().retryAfterMs as number);
            await settle(breaker.execute(boom));
          }
          const hint = breaker.snapshot().retryAfterMs as number;
          expect(Number.isFinite(hint)).toBe(true);
          expect(hint).toBeGreaterThanOrEqual(Math.min(openWaitMs, 300_000));
          const rejection = await breaker.execute(ok).catch((e: unknown) => e);
          expect(isBrokenCircuitError(rejection) && rejection.retryAfterMs).toBe(hint);
          clock.advance(Math.max(0, hint - 1));
          expect(breaker.state).toBe(hint >= 1 ? 'open' : 'half_open');
          clock.advance(hint - Math.max(0, hint - 1));
          expect(breaker.state).toBe('half_open');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('HALF_OPEN runs exactly min(calls, halfOpenPermits) trials in one tick, hints at most 1 s, and decides by the deadline (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        async (halfOpenPermits, calls, maxHalfOpenWaitMs, outcomes) => {
          const { breaker, clock } = await opened({ halfOpenPermits, maxHalfOpenWaitMs, openWaitMs: 1_000 });
          clock.advance(1_000);
          let ran = 0;
          const trials = Array.from({ length: halfOpenPermits }, () => deferred());
          const results = Array.from({ length: calls }, () =>
            breaker.execute(() => (trials[ran++] as ReturnType<typeof deferred>).promise),
          );
          for (const trial of results.slice(0, halfOpenPermits)) trial.catch(() => {});
          expect(ran).toBe(Math.min(calls, halfOpenPermits));
          const settled = await Promise.allSettled(results.slice(halfOpenPermits));
          for (const r of settled) {
            expect(r.status === 'rejected' && isBrokenCircuitError(r.reason)).toBe(true);
            const hint = (r as PromiseRejectedResult).reason.retryAfterMs as number;
            expect(hint).toBeGreaterThanOrEqual(0);
            expect(hint).toBeLessThanOrEqual(Math.min(1_000, maxHalfOpenWaitMs));
          }
          // Settle some trials (by the outcome pattern), leave the rest hanging.
          const settleCount = Math.floor(ran / 2);
          for (let i = 0; i < settleCount; i++) {
            if (outcomes[i]) trials[i]?.resolve('ok');
            else trials[i]?.reject(new Error('boom'));
          }
          await flushMicrotasks();
          clock.advance(maxHalfOpenWaitMs);
          const state = breaker.state;
          if (settleCount === 0) expect(state).toBe('open');
          else {
            const failures = outcomes.slice(0, settleCount).filter((o) => !o).length;
            expect(state).toBe(failures * 100 >= 50 * settleCount ? 'open' : 'closed');
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('emits a consistent chain of transitions, one open per generation, under any interleaving of settles and time (property)', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('call' as const), fail: fc.boolean() }),
      fc.record({ kind: fc.constant('settle' as const), index: fc.nat(), fail: fc.boolean() }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 999, 1_000, 1_001, 5_000) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const clock = new FakeClock(0);
        const events: StateChangeEvent[] = [];
        const breaker = createCircuitBreaker({
          window: { type: 'count', size: 4 },
          minimumCalls: 2,
          openWaitMs: 1_000,
          halfOpenPermits: 2,
          maxHalfOpenWaitMs: 5_000,
          clock,
          timers: clock,
        });
        breaker.on('state_change', (e) => events.push(e));
        const pending: ReturnType<typeof deferred>[] = [];
        for (const s of steps) {
          if (s.kind === 'call') {
            const d = deferred();
            d.promise.catch(() => {}); // a rejected call never consumes its promise
            pending.push(d);
            void breaker.execute(() => d.promise).catch(() => {});
          } else if (s.kind === 'settle' && pending.length > 0) {
            const [d] = pending.splice(s.index % pending.length, 1);
            if (s.fail) d?.reject(new Error('boom'));
            else d?.resolve('ok');
            await flushMicrotasks();
          } else if (s.kind === 'advance') {
            clock.advance(s.ms);
            void breaker.state;
          }
          const snap = breaker.snapshot();
          if (snap.halfOpen) expect(snap.halfOpen.issued).toBeLessThanOrEqual(2);
          if (snap.retryAfterMs !== null) expect(Number.isFinite(snap.retryAfterMs)).toBe(true);
        }
        let state = 'closed';
        for (const e of events) {
          expect(e.from).toBe(state);
          expect(e.to).not.toBe(e.from);
          expect(e.to === 'open').toBe(e.trip !== undefined);
          state = e.to;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('validates every numeric option against non-finite and out-of-range values, naming it (property)', () => {
    const numeric = [
      'failureRateThreshold',
      'slowCallRateThreshold',
      'slowCallDurationMs',
      'minimumCalls',
      'openWaitMs',
      'openWaitMultiplier',
      'maxOpenWaitMs',
      'halfOpenPermits',
      'maxHalfOpenWaitMs',
      'timeoutMs',
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...numeric),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -Number.MIN_VALUE),
        (name, value) => {
          expect(() => createCircuitBreaker({ [name]: value })).toThrow(new RegExp(`\`${name}\``));
        },
      ),
    );
    for (const [name, value] of [
      ['failureRateThreshold', 0],
      ['failureRateThreshold', 100.0001],
      ['minimumCalls', 0.5],
      ['halfOpenPermits', 0],
      ['maxHalfOpenWaitMs', 0],
      ['timeoutMs', 0],
      ['openWaitMultiplier', 0.999],
    ] as const) {
      expect(() => createCircuitBreaker({ [name]: value }), name).toThrow(RangeError);
    }
    expect(() => createCircuitBreaker({ window: { type: 'count', size: Number.NaN } })).toThrow('`window.size`');
    expect(() => createCircuitBreaker({ window: { type: 'time', sizeMs: Number.POSITIVE_INFINITY } })).toThrow(
      '`window.sizeMs`',
    );
  });

  it('accepts numeric extremes that are in range and still works with them', async () => {
    const clock = new FakeClock(0);
    const breaker = createCircuitBreaker({
      openWaitMs: Number.MAX_VALUE,
      maxOpenWaitMs: Number.MAX_VALUE,
      maxHalfOpenWaitMs: Number.MAX_VALUE,
      failureRateThreshold: Number.MIN_VALUE,
      window: { type: 'count', size: 1 },
      clock,
      timers: clock,
    });
    await settle(breaker.execute(boom));
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().retryAfterMs).toBe(Number.MAX_VALUE);
  });

  it('never counts a caller abort, at any moment, and always gives the half-open permit back (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('before', 'during', 'after'),
        fc.boolean(),
        fc.boolean(),
        async (when, withTimeout, declaresSignal) => {
          const { breaker, clock } = await opened({
            halfOpenPermits: 1,
            openWaitMs: 1_000,
            ...(withTimeout ? { timeoutMs: 500 } : {}),
          });
          clock.advance(1_000);
          const controller = new AbortController();
          if (when === 'before') controller.abort(new Error('gone'));
          const call = deferred();
          let seen: AbortSignal | undefined;
          const fn = declaresSignal
            ? (signal: AbortSignal) => {
                seen = signal;
                return call.promise;
              }
            : () => call.promise;
          const pending = breaker.execute(fn, { signal: controller.signal });
          const gone = new Error('gone');
          if (when === 'during') controller.abort(gone);
          if (when === 'after') call.resolve('ok');
          await settle(pending);
          // The signal the function declared is aborted with the caller's reason.
          if (when === 'during' && declaresSignal) expect(seen?.reason).toBe(gone);
          if (when === 'after') {
            controller.abort(new Error('late'));
            expect(breaker.state).toBe('closed');
            return;
          }
          expect(breaker.state).toBe('half_open');
          expect(breaker.snapshot().halfOpen).toMatchObject({ issued: 0, settled: 0 });
          await breaker.execute(ok);
          expect(breaker.state).toBe('closed');
        },
      ),
      { numRuns: 40 },
    );
  });
});
