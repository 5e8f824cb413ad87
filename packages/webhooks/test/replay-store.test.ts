import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryReplayStore } from '../src/index.js';

describe('createMemoryReplayStore', () => {
  it('claims a key once until it expires', () => {
    const clock = new FakeClock(0);
    const store = createMemoryReplayStore({ clock });
    expect(store.claim('a', 1000)).toBe(true);
    expect(store.claim('a', 1000)).toBe(false);
    clock.advance(999);
    expect(store.claim('a', 1000)).toBe(false);
    clock.advance(1);
    expect(store.claim('a', 1000)).toBe(true);
  });

  it('sweeps expired keys before evicting live ones', () => {
    const clock = new FakeClock(0);
    const store = createMemoryReplayStore({ clock, maxEntries: 2 });
    store.claim('a', 10);
    store.claim('b', 10);
    clock.advance(10);
    store.claim('c', 10);
    expect(store.size).toBe(1);
    expect(store.evictions).toBe(0);
  });

  it('evicts the oldest live key when full and counts it', () => {
    const store = createMemoryReplayStore({ clock: new FakeClock(0), maxEntries: 2 });
    store.claim('a', 1000);
    store.claim('b', 1000);
    store.claim('c', 1000);
    expect(store.size).toBe(2);
    expect(store.evictions).toBe(1);
    expect(store.claim('b', 1000)).toBe(false);
  });

  it('validates maxEntries and defaults to the system clock', () => {
    expect(() => createMemoryReplayStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(createMemoryReplayStore().claim('x', 1000)).toBe(true);
  });
});
