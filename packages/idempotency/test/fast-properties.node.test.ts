import { hasFastProperties } from '@bulwark/testing/fast-properties';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/index.js';

describe('the memory store', () => {
  it('stays in fast mode, so `store.begin` of each request is a field load the optimizer can inline', () => {
    expect(hasFastProperties(createMemoryStore())).toBe(true);
  });

  it('is frozen and reports `size` through an enumerable getter', () => {
    const store = createMemoryStore();
    expect(Object.isFrozen(store)).toBe(true);
    expect(store.size).toBe(0);
    expect(Object.getOwnPropertyDescriptor(store, 'size')).toMatchObject({ enumerable: true, set: undefined });
  });
});
