import { isBulwarkError } from '@bulwark/errors';
import { expectBrandedByClass } from '@bulwark/testing';
import { describe, it } from 'vitest';
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
    expectBrandedByClass(make(), { name, Class, guards: [guard, isBulwarkError] });
  });
});
