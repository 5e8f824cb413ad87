import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../src/index.js';
import { deferred } from './helpers.js';

describe('DeadlineQueue on Node timers', () => {
  it('holds the process open only while a call is in flight: the idle timer is unref’d, then reused', async () => {
    const breaker = createCircuitBreaker({ name: 'node-timers', timeoutMs: 60_000 });
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const call = deferred();
    const pending = breaker.execute(() => call.promise);
    expect(timeouts()).toBe(before + 1);
    call.resolve('ok');
    await pending;
    expect(timeouts()).toBe(before);
    const again = deferred();
    const second = breaker.execute(() => again.promise);
    expect(timeouts()).toBe(before + 1);
    again.resolve('ok');
    await second;
    expect(timeouts()).toBe(before);
  });
});
