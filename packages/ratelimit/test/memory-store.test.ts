import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createRateLimiter } from '../src/index.js';

function setup(maxKeys = 1_000) {
  const clock = new FakeClock(0);
  const store = createMemoryStore({ clock, maxKeys });
  const limiter = createRateLimiter({ limit: 1, windowMs: 1_000, store, clock, timers: clock });
  return { clock, store, limiter };
}

describe('createMemoryStore', () => {
  it('never holds more than maxKeys, evicting the oldest key', async () => {
    const { store, limiter } = setup(3);
    for (const key of ['a', 'b', 'c', 'd']) await limiter.limit(key);
    expect(store.size(limiter.policies)).toBe(3);
    expect((await limiter.limit('a')).allowed).toBe(true); // evicted, so fresh
    expect((await limiter.limit('d')).allowed).toBe(false);
  });

  it('reclaims expired keys as new keys arrive, without timers', async () => {
    const { store, limiter, clock } = setup();
    for (let i = 0; i < 100; i++) await limiter.limit(`old-${i}`);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(2_000);
    for (let i = 0; i < 200; i++) await limiter.limit(`new-${i}`);
    expect(store.size(limiter.policies)).toBe(200);
  });

  it('treats an expired key as fresh on access', async () => {
    const { limiter, clock } = setup();
    await limiter.limit('k');
    clock.advance(2_000);
    expect((await limiter.limit('k')).allowed).toBe(true);
  });

  it('does not store keys that were only denied or read', async () => {
    const { store, limiter } = setup();
    await limiter.limit('k', { cost: 0 });
    await limiter.limit('k', { cost: 5 });
    expect(store.size(limiter.policies)).toBe(0);
  });

  it('keeps limiters sharing a store apart', async () => {
    const clock = new FakeClock(0);
    const store = createMemoryStore({ clock });
    const a = createRateLimiter({ limit: 1, windowMs: 1_000, store });
    const b = createRateLimiter({ limit: 1, windowMs: 1_000, store });
    expect((await a.limit('k')).allowed).toBe(true);
    expect((await b.limit('k')).allowed).toBe(true);
  });
});
