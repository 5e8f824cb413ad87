import { createBreakerRegistry } from '@bulwark/breaker';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { breakerRegistryCheck, createHealth } from '../src/index.js';

describe('breakerRegistryCheck', () => {
  it('degrades readiness (not fails) while a breaker is open, naming it', async () => {
    const clock = new FakeClock(0);
    const breakers = createBreakerRegistry({ clock, timers: clock, minimumCalls: 1 });
    const health = createHealth({ checks: [breakerRegistryCheck(breakers)] });
    await health.refresh();
    expect(health.readiness().status).toBe('pass');
    await breakers
      .get('payments')
      .execute(() => Promise.reject(new Error('down')))
      .catch(() => {});
    await health.refresh();
    expect(health.readiness()).toMatchObject({ status: 'warn', httpStatus: 200 });
    expect(health.readiness().checks[0]?.details).toEqual({ open: ['payments'] });
  });

  it('fails readiness when made critical', async () => {
    const registry = {
      snapshot: () => ({ healthy: false, breakers: { a: { state: 'forced_open' }, b: { state: 'closed' } } }),
    };
    const health = createHealth({ checks: [breakerRegistryCheck(registry, { critical: true, name: 'deps' })] });
    await health.refresh();
    expect(health.readiness()).toMatchObject({ status: 'fail', checks: [{ name: 'deps', details: { open: ['a'] } }] });
  });
});
