import { describe, expect, it, vi } from 'vitest';
import { systemClock, systemTimers } from '../src/index.js';

describe('systemClock', () => {
  it('reads Date.now lazily so fake timers apply', () => {
    vi.useFakeTimers({ now: 1_234 });
    try {
      expect(systemClock.now()).toBe(1_234);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('systemTimers', () => {
  it('schedules and clears through the globals installed at call time', () => {
    vi.useFakeTimers();
    try {
      const fired: string[] = [];
      systemTimers.setTimeout(() => fired.push('a'), 10, { unref: true });
      const b = systemTimers.setTimeout(() => fired.push('b'), 10);
      systemTimers.clearTimeout(b);
      vi.advanceTimersByTime(10);
      expect(fired).toEqual(['a']);
    } finally {
      vi.useRealTimers();
    }
  });
});
