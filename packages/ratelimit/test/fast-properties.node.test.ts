import { hasFastProperties } from '@bulwark/testing/fast-properties';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createRateLimiter } from '../src/index.js';

describe('the limiter handle', () => {
  it('stays in fast mode, so `limiter.limit` is a field load the optimizer can inline', () => {
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, store: createMemoryStore() });
    expect(hasFastProperties(limiter)).toBe(true);
    // The guard itself: an object literal with a getter is built in dictionary mode.
    expect(
      hasFastProperties({
        get healthy() {
          return true;
        },
      }),
    ).toBe(false);
  });

  it('keeps its own properties, their order and descriptors: frozen, `healthy` an enumerable getter', () => {
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000 });
    expect(Object.isFrozen(limiter)).toBe(true);
    expect(Object.keys(limiter)).toEqual(['policies', 'healthy', 'limit', 'reset']);
    const healthy = Object.getOwnPropertyDescriptor(limiter, 'healthy');
    expect(healthy).toMatchObject({ enumerable: true, configurable: false, set: undefined });
    expect(typeof healthy?.get).toBe('function');
    expect({ ...limiter }.healthy).toBe(true);
    const { limit } = limiter;
    return expect(limit('k')).resolves.toMatchObject({ allowed: true, remaining: 4 });
  });
});
