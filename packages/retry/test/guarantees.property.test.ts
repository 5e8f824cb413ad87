import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRetry, type RetryEvent, retry } from '../src/index.js';

describe('retry guarantees', () => {
  it('never waits longer than maxRetryAfterMs, whatever Retry-After header a server sends (property)', async () => {
    const header = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.nat().map(String),
      fc.constant('9'.repeat(400)),
      fc
        .date({ min: new Date(0), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
        .map((d) => d.toUTCString()),
    );
    await fc.assert(
      fc.asyncProperty(header, fc.integer({ min: 0, max: 10_000 }), async (value, maxRetryAfterMs) => {
        const clock = new FakeClock(Date.UTC(2026, 0, 1));
        const events: RetryEvent[] = [];
        let calls = 0;
        const pending = retry(
          async () => {
            calls += 1;
            if (calls === 1)
              throw Object.assign(new Error('503'), {
                headers: { get: (name: string) => (name === 'retry-after' ? value : null) },
              });
            return 'ok';
          },
          {
            retries: 1,
            maxRetryAfterMs,
            minDelayMs: 5,
            jitter: 'none',
            clock,
            timers: clock,
            onRetry: (e) => events.push(e),
          },
        );
        await clock.advanceAsync(Math.max(maxRetryAfterMs, 5));
        await expect(pending).resolves.toBe('ok');
        const delay = events[0]?.delayMs as number;
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeLessThanOrEqual(events[0]?.fromRetryAfter ? maxRetryAfterMs : 5);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses NaN, ±Infinity, negatives and fractions on every numeric option, naming it (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('retries', 'minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1),
        (name, value) => {
          expect(() => createRetry({ [name]: value })).toThrow(new RegExp(`\`${name}\``));
        },
      ),
    );
    expect(() => createRetry({ retries: 1.5 })).toThrow(/`retries`/);
    expect(() => createRetry({ minDelayMs: 10, maxDelayMs: 9 })).toThrow(/`maxDelayMs`/);
  });
});
