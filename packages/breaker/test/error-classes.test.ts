import { isBulwarkError } from '@bulwark/errors';
import { expectBrandedByClass } from '@bulwark/testing';
import { describe, it } from 'vitest';
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
    expectBrandedByClass(make(), { name, Class, guards: [guard, isBulwarkError] });
  });
});
