import { describe, expectTypeOf, it } from 'vitest';
import {
  createSloRecorder,
  type RecommendationResult,
  type Sketch,
  SloError,
  type SloErrorCode,
} from '../src/index.js';

describe('types', () => {
  it('narrows recommendations on status', () => {
    const result = createSloRecorder().recommendThreshold('/a');
    expectTypeOf(result).toEqualTypeOf<RecommendationResult>();
    if (result.status === 'ok') expectTypeOf(result.thresholdMs).toBeNumber();
    else expectTypeOf(result).not.toHaveProperty('thresholdMs');
  });

  it('only accepts ok/error outcomes and returns the counted route', () => {
    const slo = createSloRecorder();
    expectTypeOf(slo.record).parameter(2).toEqualTypeOf<'ok' | 'error' | undefined>();
    expectTypeOf(slo.record('/a', 1)).toEqualTypeOf<string | undefined>();
    // @ts-expect-error unknown outcome
    slo.record('/a', 1, 'timeout');
  });

  it('exposes sketches and typed error codes', () => {
    expectTypeOf(createSloRecorder().sketch('/a')).toEqualTypeOf<Sketch>();
    expectTypeOf(new SloError('slo_invalid_sample').code).toEqualTypeOf<SloErrorCode>();
    // @ts-expect-error not a slo code
    new SloError('not_found');
  });
});
