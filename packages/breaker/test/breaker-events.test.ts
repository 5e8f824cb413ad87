import { describe, expect, it, vi } from 'vitest';
import type { BreakerMetricName, CircuitState } from '../src/index.js';
import { boom, makeBreaker, ok, openBreaker, settle } from './helpers.js';

/** Wraps a signal's add/removeEventListener to count live listeners. */
function countListeners(signal: AbortSignal): { live: () => number; added: () => number } {
  let live = 0;
  let added = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  const registered = new Set<unknown>();
  signal.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) => {
    if (!registered.has(listener)) {
      registered.add(listener);
      live += 1;
      added += 1;
    }
    add(type, listener, options);
  }) as AbortSignal['addEventListener'];
  signal.removeEventListener = ((type: string, listener: EventListener) => {
    if (registered.delete(listener)) live -= 1;
    remove(type, listener);
  }) as AbortSignal['removeEventListener'];
  return { live: () => live, added: () => added };
}

describe('CircuitBreaker — 9. events', () => {
  it('fires one event per transition, in order', async () => {
    const { breaker, clock } = makeBreaker({ halfOpenPermits: 1 });
    const seen: string[] = [];
    breaker.on('state_change', (e) => seen.push(`${e.from}>${e.to}@${e.at - 1_000_000}`));
    breaker.on('open', () => seen.push('open'));
    breaker.on('half_open', () => seen.push('half_open'));
    breaker.on('close', () => seen.push('close'));
    await openBreaker(breaker);
    clock.advance(1_000);
    await breaker.execute(ok);
    expect(seen).toEqual([
      'closed>open@0',
      'open',
      'open>half_open@1000',
      'half_open',
      'half_open>closed@1000',
      'close',
    ]);
  });

  it('keeps working when a listener throws, and still calls the other listeners', async () => {
    const { breaker } = makeBreaker();
    breaker.on('open', () => {
      throw new Error('listener bug');
    });
    breaker.on('failure', () => {
      throw new Error('listener bug');
    });
    const second = vi.fn();
    breaker.on('open', second);
    await openBreaker(breaker);
    expect(breaker.state).toBe('open');
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('delivers events raised inside a listener after the current one, in order', async () => {
    const { breaker } = makeBreaker();
    const seen: CircuitState[] = [];
    breaker.on('open', () => breaker.reset());
    breaker.on('state_change', (e) => seen.push(e.to));
    await openBreaker(breaker);
    expect(seen).toEqual(['open', 'closed']);
    expect(breaker.state).toBe('closed');
  });

  it('emits success, failure and rejected events with frozen payloads', async () => {
    const { breaker } = makeBreaker();
    const events: unknown[] = [];
    breaker.on('success', (e) => events.push(e));
    breaker.on('failure', (e) => events.push(e));
    breaker.on('rejected', (e) => events.push(e));
    await breaker.execute(ok);
    await openBreaker(breaker);
    await settle(breaker.execute(ok));
    expect(events[0]).toEqual({ breaker: 'test', durationMs: undefined, slow: false });
    expect(events[1]).toMatchObject({ breaker: 'test', slow: false, timeout: false });
    expect(events.at(-1)).toEqual({ breaker: 'test', reason: 'open', retryAfterMs: 1_000 });
    expect(Object.isFrozen(events[0])).toBe(true);
  });

  it('returns an unsubscribe function, and dispose() removes every listener', async () => {
    const { breaker } = makeBreaker();
    const a = vi.fn();
    const b = vi.fn();
    const off = breaker.on('success', a);
    breaker.on('success', b);
    off();
    off();
    await breaker.execute(ok);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
    breaker.dispose();
    await breaker.execute(ok);
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('leaves no listener behind after 10,000 calls sharing one AbortSignal', async () => {
    const { breaker, clock } = makeBreaker({ timeoutMs: 1_000, failureRateThreshold: 100 });
    const controller = new AbortController();
    const counter = countListeners(controller.signal);
    let peak = 0;
    // 1,000 rounds of 10 concurrent calls (10 keeps Node's MaxListeners warning quiet).
    for (let round = 0; round < 1_000; round++) {
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i++) {
        calls.push(breaker.execute(i % 2 === 0 ? ok : boom, { signal: controller.signal }).catch(() => {}));
      }
      peak = Math.max(peak, counter.live());
      await Promise.all(calls);
    }
    expect(peak).toBe(10);
    expect(counter.added()).toBe(10_000);
    expect(counter.live()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('CircuitBreaker — 10. metrics hook', () => {
  it('reports open, half_open, close and rejections, and survives a throwing hook', async () => {
    const names: BreakerMetricName[] = [];
    const breakers: string[] = [];
    const { breaker, clock } = makeBreaker({
      halfOpenPermits: 1,
      onMetric: (name, breakerName) => {
        names.push(name);
        breakers.push(breakerName);
        throw new Error('exporter down');
      },
    });
    await openBreaker(breaker);
    await settle(breaker.execute(ok));
    clock.advance(1_000);
    await breaker.execute(ok);
    expect(names).toEqual(['breaker.open', 'breaker.rejections', 'breaker.half_open', 'breaker.close']);
    expect(new Set(breakers)).toEqual(new Set(['test']));
  });

  it('reports nothing for forceOpen/disable, but counts forced rejections', async () => {
    const names: BreakerMetricName[] = [];
    const { breaker } = makeBreaker({ onMetric: (name) => names.push(name) });
    breaker.forceOpen();
    await settle(breaker.execute(ok));
    breaker.disable();
    expect(names).toEqual(['breaker.rejections']);
  });
});
