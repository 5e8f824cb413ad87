import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from '../src/index.js';

const options = fc.record({
  minDelayMs: fc.integer({ min: 0, max: 10_000 }),
  extra: fc.integer({ min: 0, max: 100_000 }),
  retryIndex: fc.integer({ min: 0, max: 60 }),
  unit: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
});

describe('backoffDelay', () => {
  it('full jitter stays within [0, min(cap, base * 2^n)] (property)', () => {
    fc.assert(
      fc.property(options, ({ minDelayMs, extra, retryIndex, unit }) => {
        const maxDelayMs = minDelayMs + extra;
        const cap = Math.min(maxDelayMs, minDelayMs * 2 ** retryIndex);
        const delay = backoffDelay(retryIndex, { minDelayMs, maxDelayMs, jitter: 'full', random: () => unit });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(cap);
      }),
    );
  });

  it('equal jitter stays within [cap / 2, cap] (property)', () => {
    fc.assert(
      fc.property(options, ({ minDelayMs, extra, retryIndex, unit }) => {
        const maxDelayMs = minDelayMs + extra;
        const cap = Math.min(maxDelayMs, minDelayMs * 2 ** retryIndex);
        const delay = backoffDelay(retryIndex, { minDelayMs, maxDelayMs, jitter: 'equal', random: () => unit });
        expect(delay).toBeGreaterThanOrEqual(cap / 2);
        expect(delay).toBeLessThanOrEqual(cap);
      }),
    );
  });

  it('no jitter is exactly the cap', () => {
    expect(
      [0, 1, 2, 3, 10].map((n) => backoffDelay(n, { minDelayMs: 100, maxDelayMs: 1_000, jitter: 'none' })),
    ).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('keeps a misbehaving random source inside the bounds', () => {
    const base = { minDelayMs: 100, maxDelayMs: 1_000, jitter: 'full' as const };
    expect(backoffDelay(0, { ...base, random: () => 7 })).toBe(100);
    expect(backoffDelay(0, { ...base, random: () => -1 })).toBe(0);
    expect(backoffDelay(0, { ...base, random: () => Number.NaN })).toBe(0);
    const defaultRandom = backoffDelay(2, base);
    expect(defaultRandom).toBeGreaterThanOrEqual(0);
    expect(defaultRandom).toBeLessThanOrEqual(400);
  });
});

describe('retry delays (end to end)', () => {
  it('every wait retry() schedules stays within [0, min(maxDelayMs, minDelayMs * 2^n)] (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('full' as const, 'equal' as const, 'none' as const),
        async (minDelayMs, extra, retries, jitter) => {
          const clock = new FakeClock();
          const maxDelayMs = minDelayMs + extra;
          const delays: number[] = [];
          const pending = retry(
            () => {
              throw new Error('down');
            },
            { retries, minDelayMs, maxDelayMs, jitter, timers: clock, onRetry: (e) => delays.push(e.delayMs) },
          ).catch(() => {});
          await clock.advanceAsync(maxDelayMs * (retries + 1) + 1);
          await pending;
          expect(delays).toHaveLength(retries);
          delays.forEach((delay, n) => {
            const cap = Math.min(maxDelayMs, minDelayMs * 2 ** n);
            expect(delay).toBeGreaterThanOrEqual(jitter === 'equal' ? cap / 2 : jitter === 'none' ? cap : 0);
            expect(delay).toBeLessThanOrEqual(cap);
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});
