import { describe, expect, it } from 'vitest';
import { FakeClock } from '../src/index.js';

describe('FakeClock', () => {
  it('fires due timers in time order, each at its own time', () => {
    const clock = new FakeClock(100);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 10);
    const cleared = clock.setTimeout(() => seen.push(['x', clock.now()]), 15);
    clock.clearTimeout(cleared);
    clock.advance(50);
    expect(seen).toEqual([
      ['a', 110],
      ['b', 120],
    ]);
    expect(clock.now()).toBe(150);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs promise reactions between timers with advanceAsync', async () => {
    const clock = new FakeClock();
    const order: number[] = [];
    const wait = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    const chain = (async () => {
      await wait(10);
      order.push(clock.now());
      await wait(10);
      order.push(clock.now());
    })();
    await clock.advanceAsync(25);
    await chain;
    expect(order).toEqual([10, 20]);
  });
});
