import { isBulwarkError } from '@bulwark/errors';
import { expectBrandedByClass } from '@bulwark/testing';
import { describe, it } from 'vitest';
import { isSloError, SloError } from '../src/index.js';

// A class is branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it('SloError is branded by its class, not per instance', () => {
    expectBrandedByClass(new SloError('slo_invalid_sample', { detail: 'bad' }), {
      name: 'SloError',
      Class: SloError,
      guards: [isSloError, isBulwarkError],
    });
  });
});
