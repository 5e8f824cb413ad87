import { setMaxListeners } from 'node:events';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { delay } from '../src/index.js';

describe('delay', () => {
  it('resolves after the given time on the injected timers', async () => {
    const clock = new FakeClock();
    let done = false;
    const waiting = delay(100, { timers: clock }).then(() => {
      done = true;
    });
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects with the signal reason when aborted during the wait and clears the timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const waiting = delay(1_000, { timers: clock, signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort('gone');
    await expect(delay(10, { signal: controller.signal })).rejects.toBe('gone');
  });

  it('treats negative and non-finite waits as zero', async () => {
    const clock = new FakeClock();
    const waits = [delay(-5, { timers: clock }), delay(Number.NaN, { timers: clock })];
    clock.advance(0);
    await expect(Promise.all(waits)).resolves.toEqual([undefined, undefined]);
  });

  it('leaves no abort listener behind after many waits share one signal', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    setMaxListeners(1_000, signal); // 1,000 waits at once are the point here, not a leak
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof signal.removeEventListener;
    const waits = Array.from({ length: 1_000 }, () => delay(5, { timers: clock, signal }));
    clock.advance(5);
    await Promise.all(waits);
    expect(added).toBe(1_000);
    expect(removed).toBe(1_000);
  });

  it('uses the real timers by default', async () => {
    await expect(delay(0)).resolves.toBeUndefined();
  });
});
