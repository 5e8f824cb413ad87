import { isBulwarkError } from '@bulwark/errors';
import { describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  BulkheadFullError,
  CallTimeoutError,
  isBrokenCircuitError,
  isBulkheadFullError,
  isCallTimeoutError,
} from '../src/index.js';

// Errors are constructed on failure paths (every call an open breaker rejects), so a class is
// branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it.each([
    [
      'BrokenCircuitError',
      () => new BrokenCircuitError({ breaker: 'b', reason: 'open', retryAfterMs: 1 }),
      isBrokenCircuitError,
      BrokenCircuitError,
    ],
    ['BulkheadFullError', () => new BulkheadFullError(1, 0), isBulkheadFullError, BulkheadFullError],
    ['CallTimeoutError', () => new CallTimeoutError(10, 'b'), isCallTimeoutError, CallTimeoutError],
  ] as const)('%s is branded by its class, not per instance', (name, make, guard, Class) => {
    const error = make();
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(guard(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(Error);
    expect(guard(Class.prototype)).toBe(false);
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({
      value: name,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });
});
