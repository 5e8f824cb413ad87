import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSloRecorder } from '../src/index.js';

describe('breachRatio (property)', () => {
  it('is exact over the last N, and off over the window only by samples within α of the threshold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.double({ min: 0.5, max: 10_000, noNaN: true }),
        fc.integer({ min: 1, max: 400 }),
        (values, threshold, capacity) => {
          const slo = createSloRecorder({ clock: { now: () => 0 }, capacity });
          for (const v of values) slo.record('/a', v);
          const ratio = slo.breachRatio('/a', threshold);
          const lastN = values.slice(-capacity);
          expect(ratio.lastN.breaches).toBe(lastN.filter((v) => v > threshold).length);
          expect(ratio.lastN.samples).toBe(lastN.length);
          const exact = values.filter((v) => v > threshold).length;
          const ambiguous = values.filter((v) => v >= threshold / 1.0202 && v <= threshold * 1.0202).length;
          expect(Math.abs(ratio.window.breaches - exact)).toBeLessThanOrEqual(ambiguous);
          expect(ratio.window.samples).toBe(values.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
