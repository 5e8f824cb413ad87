import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Algorithm, createMemoryStore, createRateLimiter, type RateLimiterOptions } from '../src/index.js';

const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];
const quiet = { warn() {} };

/** Numbers that break naive validation. */
const hostileNumber = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    -1,
    0.5,
    1e-300,
    2 ** 53,
    1e300,
  ),
  fc.double(),
);

describe('numeric options: non-finite and extreme values are rejected, naming the option', () => {
  const numeric: Array<[string, (v: number) => RateLimiterOptions]> = [
    ['limit', (v) => ({ limit: v, windowMs: 1_000 })],
    ['windowMs', (v) => ({ limit: 5, windowMs: v })],
    ['rate', (v) => ({ rate: v })],
    ['burst', (v) => ({ rate: 5, burst: v })],
    ['deadlineMs', (v) => ({ limit: 5, windowMs: 1_000, deadlineMs: v })],
    ['localLimitFactor', (v) => ({ limit: 5, windowMs: 1_000, localLimitFactor: v })],
    ['maxKeyLength', (v) => ({ limit: 5, windowMs: 1_000, maxKeyLength: v })],
  ];

  it.each(numeric)('property: `%s` either yields finite, in-range policies or throws naming it', (name, make) => {
    fc.assert(
      fc.property(hostileNumber, (value) => {
        let limiter: ReturnType<typeof createRateLimiter> | undefined;
        try {
          limiter = createRateLimiter({ ...make(value), logger: quiet });
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(new RegExp(`\`[^\`]*\\b${name}\\b[^\`]*\``));
          return;
        }
        for (const p of limiter.policies) {
          expect(Number.isInteger(p.limit) && p.limit >= 1 && p.limit <= 1e9).toBe(true);
          expect(Number.isFinite(p.windowMs) && p.windowMs > 0).toBe(true);
        }
        expect(Number.isFinite(value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a cost that is not an integer in [0, 1e9] rejects the call, never a decision', async () => {
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, logger: quiet });
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileNumber, fc.constantFrom('1', true, 1e9 + 1)), async (cost) => {
        const valid = Number.isInteger(cost) && (cost as number) >= 0 && (cost as number) <= 1e9;
        const outcome = await limiter.limit('k', { cost: cost as number }).then(
          () => 'decided',
          (e: unknown) => (e instanceof RangeError && /`cost`/.test(e.message) ? 'rejected' : 'other'),
        );
        expect(outcome).toBe(valid ? 'decided' : 'rejected');
      }),
    );
  });

  it('memory store maxKeys', () => {
    fc.assert(
      fc.property(hostileNumber, (value) => {
        const ok = Number.isInteger(value) && value >= 1;
        if (ok) expect(createMemoryStore({ maxKeys: value }).name).toBe('memory');
        else expect(() => createMemoryStore({ maxKeys: value })).toThrow(/`maxKeys`/);
      }),
    );
  });
});

/** A fresh memory limiter on a fake clock. */
function replay(algorithm: Algorithm, limit: number, windowMs: number, start: number) {
  const clock = new FakeClock(start);
  const limiter = createRateLimiter({ algorithm, limit, windowMs, clock, timers: clock, logger: quiet });
  return { clock, limiter };
}

describe('window edges: retryAfterMs and resetMs are exact to the millisecond', () => {
  it('property: a denied request is still denied 1 ms before retryAfterMs, and allowed at it; the policy is full at resetMs (not sliding-window)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALL),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.record({ advance: fc.integer({ min: 0, max: 3_000 }), cost: fc.integer({ min: 1, max: 4 }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (algorithm, limit, windowMs, startOffset, steps) => {
          const start = 1_700_000_000_000 + startOffset;
          const history: Array<{ advance: number; cost: number }> = [];
          const { clock, limiter } = replay(algorithm, limit, windowMs, start);
          for (const step of steps) {
            clock.advance(step.advance);
            history.push(step);
            const d = await limiter.limit('k', { cost: step.cost });
            if (d.allowed || step.cost > limit) continue;
            // Same state, twice: just before and exactly at the announced instant.
            for (const [extra, expected] of [
              [d.retryAfterMs - 1, false],
              [d.retryAfterMs, true],
            ] as const) {
              const probe = replay(algorithm, limit, windowMs, start);
              for (const h of history) {
                probe.clock.advance(h.advance);
                await probe.limiter.limit('k', { cost: h.cost });
              }
              probe.clock.advance(extra);
              expect({
                algorithm,
                at: extra,
                allowed: (await probe.limiter.limit('k', { cost: step.cost })).allowed,
              }).toEqual({
                algorithm,
                at: extra,
                allowed: expected,
              });
            }
          }
          // The sliding window's resetMs is its current window's end, where the previous window
          // still weighs in: it is full only after the next one (documented).
          const last = await limiter.limit('k', { cost: 0 });
          clock.advance(algorithm === 'sliding-window' ? last.resetMs + windowMs : last.resetMs);
          expect((await limiter.limit('k', { cost: 0 })).remaining).toBe(limit);
        },
      ),
      { numRuns: 300 },
    );
  }, 30_000);
});

describe('hostile keys in the memory store', () => {
  it('property: distinct keys (braces, newlines, unicode, lone surrogates, huge) keep independent state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string({
              unit: fc.constantFrom('{', '}', '\\', '\n', '\0', '\uD800', '\uDC00', '\uFFFD', '😀', 'a'),
              minLength: 1,
              maxLength: 6,
            }),
            fc.constantFrom(`${'x'.repeat(300)}a`, `${'x'.repeat(300)}b`),
          ),
          { minLength: 2, maxLength: 10 },
        ),
        async (candidates) => {
          const keys = [...new Set(candidates)];
          const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, logger: quiet, clock: new FakeClock(0) });
          for (const key of keys) expect((await limiter.limit(key)).allowed).toBe(true);
          for (const key of keys) expect((await limiter.limit(key)).allowed).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
