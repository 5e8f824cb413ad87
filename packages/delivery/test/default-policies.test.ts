import { FakeClock } from '@bulwark/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultPolicies } from '../src/default-policies.js';
import type { EndpointRecord } from '../src/store.js';

const endpoint: EndpointRecord = {
  id: 'ep_1',
  url: 'https://receiver.example/hooks',
  eventTypes: null,
  enabled: true,
  disabledReason: null,
  rateLimit: { limit: 4, intervalMs: 1_000 },
  timeoutMs: 5_000,
  secrets: [],
  failingSince: null,
  createdAt: 0,
  updatedAt: 0,
};

describe('defaultPolicies: per-endpoint rate limiters', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('creates a limiter per endpoint without logging a fail-open configuration nobody asked for', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const policies = defaultPolicies();
    for (let i = 0; i < 3; i++) expect(policies.limiter?.({ ...endpoint, id: `ep_${i}` })).toBeDefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps delivering within half the endpoint limit per process while a shared limiter store fails', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const clock = new FakeClock(1_700_000_000_000);
    const policies = defaultPolicies({
      clock,
      timers: clock,
      rateLimitStore: { name: 'down', decide: () => Promise.reject(new Error('ECONNREFUSED')) },
    });
    const limiter = policies.limiter?.(endpoint);
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await limiter?.limit(endpoint.id));
    expect(decisions.map((d) => d?.allowed)).toEqual([true, true, false]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('rate limiter store failing', expect.objectContaining({ failMode: 'local' }));
  });
});
