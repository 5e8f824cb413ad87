import { isBulwarkError } from '@bulwark/errors';
import { describe, expect, it } from 'vitest';
import {
  isRateLimitKeyError,
  isRateLimitKeyRequiredError,
  RateLimitKeyError,
  RateLimitKeyRequiredError,
} from '../src/index.js';

// A class is branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it.each([
    ['RateLimitKeyError', () => new RateLimitKeyError('bad key'), isRateLimitKeyError, RateLimitKeyError],
    [
      'RateLimitKeyRequiredError',
      () => new RateLimitKeyRequiredError('no key'),
      isRateLimitKeyRequiredError,
      RateLimitKeyRequiredError,
    ],
  ] as const)('%s is branded by its class, not per instance', (name, make, guard, Class) => {
    const error = make();
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(guard(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toBeInstanceOf(Class);
    expect(guard(Class.prototype)).toBe(false);
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({
      value: name,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });
});
