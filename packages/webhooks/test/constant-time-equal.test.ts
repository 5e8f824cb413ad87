import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../src/index.js';

/** Wraps bytes so every indexed read is counted. */
function counting(bytes: number[]): { view: ArrayLike<number>; reads: () => number } {
  let reads = 0;
  const view = new Proxy(bytes, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, receiver);
    },
  });
  return { view, reads: () => reads };
}

describe('constantTimeEqual', () => {
  it('compares equal and different bytes', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
  });

  it('treats a prefix or a zero-padded value as different', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2, 0]), new Uint8Array([1, 2]))).toBe(false);
  });

  it('visits every index of the longer input even when lengths differ', () => {
    const long = counting(Array.from({ length: 32 }, () => 7));
    const short = counting([9]);
    expect(constantTimeEqual(short.view, long.view)).toBe(false);
    expect(long.reads()).toBe(32);
    expect(short.reads()).toBe(32);
  });

  it('does not stop at the first differing byte', () => {
    const a = counting(Array.from({ length: 32 }, () => 1));
    const b = counting(Array.from({ length: 32 }, () => 2));
    constantTimeEqual(a.view, b.view);
    expect(a.reads()).toBe(32);
  });
});
