import { hasFastProperties } from '@bulwark/testing/fast-properties';
import { describe, expect, it } from 'vitest';
import { createHealth, createShutdown } from '../src/index.js';

describe('the health and shutdown handles', () => {
  it('stay in fast mode, so `health.readiness` per probe and `shutdown.track` per request are field loads the optimizer can inline', () => {
    expect(hasFastProperties(createHealth())).toBe(true);
    expect(hasFastProperties(createShutdown())).toBe(true);
  });

  it('report `shuttingDown` and `state` through enumerable getters', () => {
    const health = createHealth();
    expect(health.shuttingDown).toBe(false);
    health.markShuttingDown();
    expect({ ...health }.shuttingDown).toBe(true);
    const shutdown = createShutdown();
    expect(shutdown.state).toBe('running');
    expect(Object.getOwnPropertyDescriptor(shutdown, 'state')).toMatchObject({ enumerable: true, set: undefined });
  });
});
