import { hasFastProperties } from '@bulwark/testing/fast-properties';
import { describe, expect, it } from 'vitest';
import { createMemoryReplayStore } from '../src/index.js';

describe('the memory replay store', () => {
  it('stays in fast mode, so `store.claim` of each verification is a field load the optimizer can inline', () => {
    expect(hasFastProperties(createMemoryReplayStore())).toBe(true);
  });

  it('reports `size` and `evictions` through enumerable getters', () => {
    const store = createMemoryReplayStore({ maxEntries: 1 });
    store.claim('a', 60_000, 0);
    store.claim('b', 60_000, 0);
    expect({ size: store.size, evictions: store.evictions }).toEqual({ size: 1, evictions: 1 });
    expect({ ...store }).toMatchObject({ size: 1, evictions: 1 });
  });
});
