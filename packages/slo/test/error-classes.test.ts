import { isBulwarkError } from '@bulwark/errors';
import { describe, expect, it } from 'vitest';
import { isSloError, SloError } from '../src/index.js';

// A class is branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it('SloError is branded by its class, not per instance', () => {
    const error = new SloError('slo_invalid_sample', { detail: 'bad' });
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(isSloError(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toBeInstanceOf(SloError);
    expect(isSloError(SloError.prototype)).toBe(false);
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({
      value: 'SloError',
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });
});
