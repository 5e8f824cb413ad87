import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryReplayStore, createWebhookVerifier, sign } from '../src/index.js';
import { clockAt, NOW_SEC, rejection, SECRET } from './helpers.js';

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

describe('a replay store behind a verifier', () => {
  it("expires keys on the verifier's clock, not its own", async () => {
    const clock = clockAt();
    // No clock of its own: before the fix it read the system clock and never saw fake time move.
    const replayStore = createMemoryReplayStore();
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock,
      replayStore,
      tolerance: { pastSec: 300, futureSec: 300 },
    });
    const first = await sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC, id: 'same_id' });
    await verifier.verify({ headers: first, body: 'x' });
    expect((await rejection(verifier.verify({ headers: first, body: 'x' }))).code).toBe('webhook_replayed');
    // Window = pastSec + futureSec = 600 s: one ms before it ends the id is still held, at its end it is free.
    clock.advance(599_999);
    const inside = await sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC + 599, id: 'same_id' });
    expect((await rejection(verifier.verify({ headers: inside, body: 'x' }))).code).toBe('webhook_replayed');
    clock.advance(1);
    const after = await sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC + 600, id: 'same_id' });
    await expect(verifier.verify({ headers: after, body: 'x' })).resolves.toMatchObject({ id: 'same_id' });
  });

  it('passes the clock reading to custom stores and maps their failures to a typed 503', async () => {
    const seen: number[] = [];
    const clock = clockAt();
    const verifier = createWebhookVerifier({
      secrets: SECRET,
      clock,
      replayStore: {
        claim: (_key, _ttl, nowMs) => {
          seen.push(nowMs as number);
          throw new Error('store down');
        },
      },
    });
    const headers = await sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC, id: 'custom' });
    const error = await rejection(verifier.verify({ headers, body: 'x' }));
    expect(error).toMatchObject({ code: 'webhook_replay_store_unavailable', status: 503, retryable: true });
    expect(seen).toEqual([NOW_SEC * 1000]);
  });
});
