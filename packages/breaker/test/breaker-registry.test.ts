import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createBreakerRegistry } from '../src/index.js';
import { boom, settle } from './helpers.js';

describe('BreakerRegistry', () => {
  it('creates each named breaker once, with shared defaults and per-breaker overrides', () => {
    const registry = createBreakerRegistry({ openWaitMs: 5_000 });
    const a = registry.get('resend', { minimumCalls: 2 });
    expect(registry.get('resend')).toBe(a);
    expect(registry.has('resend')).toBe(true);
    expect(registry.has('postmark')).toBe(false);
    expect(a.snapshot().thresholds).toMatchObject({ openWaitMs: 5_000, minimumCalls: 2 });
    expect(a.name).toBe('resend');
  });

  it('snapshots every breaker for a health endpoint', async () => {
    const clock = new FakeClock(42);
    const registry = createBreakerRegistry({ clock, minimumCalls: 1 });
    registry.get('resend');
    await settle(registry.get('stripe').execute(boom));
    const snapshot = registry.snapshot();
    expect(snapshot.healthy).toBe(false);
    expect(snapshot.takenAtMs).toBe(42);
    expect(Object.keys(snapshot.breakers)).toEqual(['resend', 'stripe']);
    expect(snapshot.breakers.stripe?.state).toBe('open');
    expect(JSON.parse(JSON.stringify(registry))).toEqual(snapshot);
    expect(registry.list().map((b) => b.name)).toEqual(['resend', 'stripe']);
  });

  it('is healthy when no breaker rejects calls, and forgets breakers on dispose', () => {
    const registry = createBreakerRegistry();
    registry.get('a');
    expect(registry.snapshot().healthy).toBe(true);
    registry.dispose();
    expect(registry.list()).toEqual([]);
  });
});
