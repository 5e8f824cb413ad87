import { isBulwarkError } from '@bulwark/errors';
import { expectBrandedByClass } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { DeliveryError, EgressRefusedError, isDeliveryError, isEgressRefusedError } from '../src/index.js';

// Errors are constructed on failure paths (every refused or failed attempt), so a class is
// branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it('DeliveryError is branded by its class, not per instance', () => {
    expectBrandedByClass(new DeliveryError('delivery_invalid_event'), {
      name: 'DeliveryError',
      Class: DeliveryError,
      guards: [isDeliveryError, isBulwarkError],
    });
  });

  it('EgressRefusedError is branded by its class, not per instance', () => {
    expectBrandedByClass(new EgressRefusedError('example.com', '10.0.0.1', 'private'), {
      name: 'EgressRefusedError',
      Class: EgressRefusedError,
      guards: [isEgressRefusedError, isDeliveryError, isBulwarkError],
    });
  });

  it('a plain DeliveryError is not an EgressRefusedError', () => {
    expect(isEgressRefusedError(new DeliveryError('delivery_invalid_event'))).toBe(false);
  });
});
