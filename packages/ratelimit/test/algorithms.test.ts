import { describe, expect, it } from 'vitest';
import type { Algorithm } from '../src/index.js';
import { allowedCount, fakeLimiter } from './support/limiter.js';

const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

describe.each(ALL)('%s', (algorithm) => {
  it('allows exactly `limit` at once, then denies', async () => {
    const { limiter } = fakeLimiter({ algorithm, limit: 5, windowMs: 1_000 });
    expect(await allowedCount(limiter, 'k', 10)).toBe(5);
    const denied = await limiter.limit('k');
    expect(denied).toMatchObject({ allowed: false, reason: 'limited', remaining: 0, limit: 5, degraded: false });
    expect(denied.retryAfterMs).toBeGreaterThan(0);
  });

  it('reports remaining after each allowed request', async () => {
    const { limiter } = fakeLimiter({ algorithm, limit: 3, windowMs: 1_000 });
    expect((await limiter.limit('k')).remaining).toBe(2);
    expect((await limiter.limit('k')).remaining).toBe(1);
    expect((await limiter.limit('k')).remaining).toBe(0);
  });

  it('allows again once retryAfterMs has passed', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm, limit: 4, windowMs: 1_000 });
    await allowedCount(limiter, 'k', 4);
    const denied = await limiter.limit('k');
    clock.advance(denied.retryAfterMs - 1);
    expect((await limiter.limit('k')).allowed).toBe(false);
    clock.advance(1);
    expect((await limiter.limit('k')).allowed).toBe(true);
  });

  it('charges cost > 1 and denies without consuming when it does not fit', async () => {
    const { limiter } = fakeLimiter({ algorithm, limit: 10, windowMs: 1_000 });
    expect(await limiter.limit('k', { cost: 7 })).toMatchObject({ allowed: true, remaining: 3 });
    expect(await limiter.limit('k', { cost: 4 })).toMatchObject({ allowed: false, remaining: 3 });
    expect(await limiter.limit('k', { cost: 3 })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('denies cost > limit forever, never going negative', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm, limit: 3, windowMs: 1_000 });
    const d = await limiter.limit('k', { cost: 4 });
    expect(d).toMatchObject({ allowed: false, reason: 'limited', remaining: 3, retryAfterMs: 1_000 });
    clock.advance(10_000);
    expect((await limiter.limit('k', { cost: 4 })).allowed).toBe(false);
    expect((await limiter.limit('k', { cost: 3 })).allowed).toBe(true);
  });

  it('cost 0 reads without consuming', async () => {
    const { limiter } = fakeLimiter({ algorithm, limit: 2, windowMs: 1_000 });
    await limiter.limit('k');
    expect(await limiter.limit('k', { cost: 0 })).toMatchObject({ allowed: true, remaining: 1 });
    expect(await limiter.limit('k', { cost: 0 })).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('keeps keys independent', async () => {
    const { limiter } = fakeLimiter({ algorithm, limit: 1, windowMs: 1_000 });
    expect((await limiter.limit('a')).allowed).toBe(true);
    expect((await limiter.limit('b')).allowed).toBe(true);
    expect((await limiter.limit('a')).allowed).toBe(false);
  });

  it('is fully replenished one window after the last request', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm, limit: 3, windowMs: 1_000 });
    await allowedCount(limiter, 'k', 3);
    clock.advance(2_000);
    expect(await allowedCount(limiter, 'k', 5)).toBe(3);
  });
});

describe('GCRA and token bucket', () => {
  it.each(['gcra', 'token-bucket'] as const)('%s refills one unit every windowMs / limit', async (algorithm) => {
    const { limiter, clock } = fakeLimiter({ algorithm, limit: 10, windowMs: 1_000 });
    await allowedCount(limiter, 'k', 10);
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, retryAfterMs: 100, resetMs: 1_000 });
    clock.advance(99);
    expect((await limiter.limit('k')).allowed).toBe(false);
    clock.advance(1);
    expect(await limiter.limit('k')).toMatchObject({ allowed: true, remaining: 0 });
    clock.advance(250);
    expect(await allowedCount(limiter, 'k', 5)).toBe(2);
  });

  it.each(['gcra', 'token-bucket'] as const)('%s accepts rate + burst', async (algorithm) => {
    const { limiter, clock } = fakeLimiter({ algorithm, rate: 2, burst: 4 });
    expect(limiter.policies[0]).toMatchObject({ limit: 4, windowMs: 2_000 });
    expect(await allowedCount(limiter, 'k', 6)).toBe(4);
    clock.advance(500);
    expect(await allowedCount(limiter, 'k', 3)).toBe(1);
  });

  it.each(['gcra', 'token-bucket'] as const)('%s handles non-integer intervals without drift', async (algorithm) => {
    const { limiter, clock } = fakeLimiter({ algorithm, limit: 3, windowMs: 1_000 });
    for (let round = 0; round < 50; round++) {
      expect(await allowedCount(limiter, 'k', 4)).toBe(round === 0 ? 3 : 1);
      clock.advance(334);
    }
  });
});

describe('fixed window', () => {
  it('resets at the window boundary (and admits a 2× burst across it)', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm: 'fixed-window', limit: 5, windowMs: 1_000 });
    clock.advance(900);
    expect(await allowedCount(limiter, 'k', 5)).toBe(5);
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, retryAfterMs: 100, resetMs: 100 });
    clock.advance(100);
    expect(await allowedCount(limiter, 'k', 6)).toBe(5);
  });
});

describe('sliding window', () => {
  it('weights the previous window by its overlap', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm: 'sliding-window', limit: 10, windowMs: 1_000 });
    expect(await allowedCount(limiter, 'k', 10)).toBe(10);
    clock.advance(1_000); // previous = 10, weight 1 → nothing left
    expect((await limiter.limit('k')).allowed).toBe(false);
    clock.advance(250); // weight 0.75 → 7.5 used, 2 fit
    expect(await allowedCount(limiter, 'k', 5)).toBe(2);
  });

  it('computes retryAfterMs within the window and across it', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm: 'sliding-window', limit: 10, windowMs: 1_000 });
    await allowedCount(limiter, 'k', 10);
    clock.advance(1_000);
    const decayed = await limiter.limit('k');
    expect(decayed.retryAfterMs).toBe(100); // previous 10 → 9 after 100 ms
    clock.advance(100);
    expect((await limiter.limit('k')).allowed).toBe(true);
    const across = await limiter.limit('k', { cost: 10 });
    // current 1 + 10 > 10: wait for next window (900 ms), then 1 × (1 − e/1000) + 10 ≤ 10 → e = 1000
    expect(across.retryAfterMs).toBe(1_900);
  });

  it('forgets windows older than the previous one', async () => {
    const { limiter, clock } = fakeLimiter({ algorithm: 'sliding-window', limit: 2, windowMs: 1_000 });
    await allowedCount(limiter, 'k', 2);
    clock.advance(2_000);
    expect(await allowedCount(limiter, 'k', 3)).toBe(2);
  });
});

describe('multiple policies', () => {
  it('decides all policies together: a denial consumes from none', async () => {
    const { limiter, clock } = fakeLimiter({
      policies: [
        { name: 'second', limit: 2, windowMs: 1_000 },
        { name: 'minute', algorithm: 'fixed-window', limit: 3, windowMs: 60_000 },
      ],
    });
    expect(await allowedCount(limiter, 'k', 3)).toBe(2);
    const d = await limiter.limit('k');
    expect(d).toMatchObject({ allowed: false, policy: 'second' });
    expect(d.policies.map((p) => p.remaining)).toEqual([0, 1]);
    clock.advance(1_000);
    expect(await limiter.limit('k')).toMatchObject({ allowed: true, policy: 'minute', remaining: 0 });
    clock.advance(1_000);
    const byMinute = await limiter.limit('k');
    expect(byMinute).toMatchObject({ allowed: false, policy: 'minute', reason: 'limited' });
    expect(byMinute.policies[0]).toMatchObject({ allowed: true, remaining: 2 });
    expect(byMinute.retryAfterMs).toBe(58_000);
  });
});
