import { isBulwarkError } from '@bulwark/errors';
import { describe, expect, it } from 'vitest';
import { DeliveryError, EgressRefusedError, isDeliveryError, isEgressRefusedError } from '../src/index.js';

// Errors are constructed on failure paths (every refused or failed attempt), so a class is
// branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it.each([
    ['DeliveryError', () => new DeliveryError('delivery_invalid_event'), [isDeliveryError], DeliveryError],
    [
      'EgressRefusedError',
      () => new EgressRefusedError('example.com', '10.0.0.1', 'private'),
      [isEgressRefusedError, isDeliveryError],
      EgressRefusedError,
    ],
  ] as const)('%s is branded by its class, not per instance', (name, make, guards, Class) => {
    const error = make();
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    for (const guard of guards) expect(guard(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toBeInstanceOf(Class);
    expect(guards[0](Class.prototype)).toBe(false);
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({
      value: name,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });

  it('a plain DeliveryError is not an EgressRefusedError', () => {
    expect(isEgressRefusedError(new DeliveryError('delivery_invalid_event'))).toBe(false);
  });
});
