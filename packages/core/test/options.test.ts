import { describe, expect, it } from 'vitest';
import { assertNumberOption } from '../src/index.js';

describe('assertNumberOption', () => {
  it('accepts values inside the range', () => {
    expect(() => assertNumberOption('limit', 5, { min: 1, max: 10, integer: true })).not.toThrow();
    expect(() => assertNumberOption('ratio', 0.5)).not.toThrow();
  });

  it('names the option when the value is not a finite number', () => {
    expect(() => assertNumberOption('limit', '5')).toThrow(TypeError);
    expect(() => assertNumberOption('limit', Number.NaN)).toThrow(
      'Expected `limit` to be a number in (-∞, ∞), got NaN',
    );
  });

  it('names the option and the range when out of bounds', () => {
    expect(() => assertNumberOption('failureRateThreshold', 0, { min: 0, minExclusive: true, max: 100 })).toThrow(
      'Expected `failureRateThreshold` to be a number in (0, 100], got 0',
    );
    expect(() => assertNumberOption('n', 11, { max: 10 })).toThrow(RangeError);
    expect(() => assertNumberOption('n', -1, { min: 0 })).toThrow('[0, ∞)');
    expect(() => assertNumberOption('n', 1.5, { integer: true })).toThrow('an integer');
  });
});
