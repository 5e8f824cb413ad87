import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_TYPE, createBackoffStrategy, DEFAULT_MAX_RETRY_AFTER_MS } from '../src/backoff-strategy.js';

const clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
const hinted = (retryAfterMs: number) => Object.assign(new Error('limited'), { retryAfterMs });
const job = (delay?: number) => ({ opts: { backoff: { type: BACKOFF_TYPE, delay } } });

describe('createBackoffStrategy', () => {
  it('doubles from the job’s backoff.delay up to maxDelayMs without jitter', () => {
    const strategy = createBackoffStrategy({ jitter: 'none', maxDelayMs: 1_000, clock });
    expect([1, 2, 3, 4, 5, 6].map((n) => strategy(n, BACKOFF_TYPE, new Error('x'), job(100)))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(strategy(1, BACKOFF_TYPE, new Error('x'), { opts: { backoff: 250 } })).toBe(250);
    expect(strategy(1, BACKOFF_TYPE, new Error('x'))).toBe(1_000);
  });

  it('waits at least as long as the error asks', () => {
    const strategy = createBackoffStrategy({ jitter: 'none', clock });
    expect(strategy(1, BACKOFF_TYPE, hinted(7_000), job(100))).toBe(7_000);
    const header = Object.assign(new Error('429'), {
      headers: new Headers({ 'retry-after': new Date(clock.now() + 20_000).toUTCString() }),
    });
    expect(strategy(1, BACKOFF_TYPE, header, job(100))).toBe(20_000);
  });

  it('fails the job now (-1) when the hint is longer than maxRetryAfterMs', () => {
    const strategy = createBackoffStrategy({ maxRetryAfterMs: 60_000, clock });
    expect(strategy(1, BACKOFF_TYPE, hinted(60_001), job(100))).toBe(-1);
    expect(strategy(1, BACKOFF_TYPE, hinted(60_000), job(100))).toBe(60_000);
    expect(createBackoffStrategy({ clock })(1, BACKOFF_TYPE, hinted(DEFAULT_MAX_RETRY_AFTER_MS + 1))).toBe(-1);
  });

  it('keeps jitter inside its band with an injected random source', () => {
    const low = createBackoffStrategy({ jitter: 'equal', random: () => 0, clock });
    const high = createBackoffStrategy({ jitter: 'full', random: () => 0.999_999, clock });
    expect(low(3, BACKOFF_TYPE, new Error('x'), job(100))).toBe(200);
    expect(high(3, BACKOFF_TYPE, new Error('x'), job(100))).toBe(400);
  });

  it('rejects invalid options, naming them', () => {
    expect(() => createBackoffStrategy({ baseDelayMs: -1 })).toThrow(/`baseDelayMs`/);
    expect(() => createBackoffStrategy({ maxDelayMs: Number.NaN })).toThrow(/`maxDelayMs`/);
    expect(() => createBackoffStrategy({ maxRetryAfterMs: Number.POSITIVE_INFINITY })).toThrow(/`maxRetryAfterMs`/);
    expect(() => createBackoffStrategy({ jitter: 'half' as never })).toThrow(/`jitter`/);
    expect(() => createBackoffStrategy({ random: 3 as never })).toThrow(/`random`/);
    expect(() => createBackoffStrategy({ clock: { now: 1 } as never })).toThrow(/`clock.now`/);
  });

  it('never schedules before the hint, never exceeds max(cap, hint), and is -1 exactly past the hint cap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
        fc.option(fc.double({ noNaN: false })),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempts, hint, delay, maxDelayMs, maxRetryAfterMs, unit) => {
          const strategy = createBackoffStrategy({ maxDelayMs, maxRetryAfterMs, random: () => unit, clock });
          const error = hint === null ? new Error('x') : hinted(hint);
          const result = strategy(attempts, BACKOFF_TYPE, error, { opts: { backoff: { delay: delay ?? undefined } } });
          if (hint !== null && hint > maxRetryAfterMs) {
            expect(result).toBe(-1);
            return;
          }
          expect(Number.isInteger(result)).toBe(true);
          expect(result).toBeGreaterThanOrEqual(hint ?? 0);
          expect(result).toBeLessThanOrEqual(Math.max(maxDelayMs, hint ?? 0));
        },
      ),
    );
  });
});
