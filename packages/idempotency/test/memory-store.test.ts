import { describe, expect, it } from 'vitest';
import { createIdempotency, createMemoryStore } from '../src/index.js';

const claim = (key: string, now: number, lockExpiresAt = now + 1_000) => ({
  key,
  fingerprint: 'f',
  token: `t-${key}`,
  now,
  lockExpiresAt,
});

describe('createMemoryStore', () => {
  it('stays within maxEntries, evicting the least recently used completed record', async () => {
    const store = createMemoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) {
      await store.begin(claim(key, 0));
      await store.complete({ key, token: `t-${key}`, result: key, now: 0, expiresAt: 10_000 });
    }
    await store.begin(claim('a', 1)); // touch a: b is now the least recently used
    await store.begin(claim('d', 2));
    expect(store.size).toBe(3);
    expect((await store.begin(claim('b', 3))).status).toBe('acquired');
    expect((await store.begin(claim('a', 3))).status).toBe('completed');
  });

  it('never evicts a live lock: when full of live locks a new claim fails (so the idempotency answers 503)', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.begin(claim('a', 0));
    await store.begin(claim('b', 0));
    await expect(store.begin(claim('c', 0))).rejects.toThrow(/full/);
    expect((await store.begin(claim('a', 1))).status).toBe('in_progress');
    const idempotency = createIdempotency({ store, clock: { now: () => 0 } });
    await expect(idempotency.run('z', () => 1)).rejects.toMatchObject({ code: 'idempotency_store_unavailable' });
    // Once a lock expires it may be evicted again.
    expect((await store.begin(claim('c', 1_000))).status).toBe('acquired');
  });

  it('sweeps expired records as claims arrive', async () => {
    const store = createMemoryStore();
    await store.begin(claim('a', 0, 100));
    await store.begin(claim('b', 0, 100));
    await store.begin(claim('c', 200));
    expect(store.size).toBe(1);
  });

  it('only the owner completes or releases; an expired lock cannot complete', async () => {
    const store = createMemoryStore();
    await store.begin(claim('a', 0, 100));
    expect(await store.complete({ key: 'a', token: 'other', result: 'x', now: 1, expiresAt: 10 })).toBe(false);
    await store.release('a', 'other');
    expect((await store.begin({ ...claim('a', 1), token: 'x' })).status).toBe('in_progress');
    expect(await store.complete({ key: 'a', token: 't-a', result: 'x', now: 100, expiresAt: 1_000 })).toBe(false);
    await store.release('a', 't-a');
    expect((await store.begin({ ...claim('a', 101), token: 'y' })).status).toBe('acquired');
  });

  it('validates maxEntries', () => {
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(/`maxEntries`/);
  });
});
