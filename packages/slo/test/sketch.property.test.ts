import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSketch } from '../src/index.js';
import { exactPercentile, normal, relativeError, rng } from './helpers.js';

type Distribution = (random: () => number) => number;

const distributions: Record<string, fc.Arbitrary<Distribution>> = {
  uniform: fc
    .record({
      low: fc.double({ min: 0.001, max: 1000, noNaN: true }),
      width: fc.double({ min: 0, max: 1e5, noNaN: true }),
    })
    .map(
      ({ low, width }) =>
        (random: () => number) =>
          low + random() * width,
    ),
  lognormal: fc
    .record({ mu: fc.double({ min: -2, max: 8, noNaN: true }), sigma: fc.double({ min: 0.05, max: 2.5, noNaN: true }) })
    .map(
      ({ mu, sigma }) =>
        (random: () => number) =>
          Math.exp(mu + sigma * normal(random)),
    ),
  bimodal: fc
    .record({
      fast: fc.double({ min: 0.1, max: 50, noNaN: true }),
      slow: fc.double({ min: 100, max: 30_000, noNaN: true }),
      share: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    })
    .map(
      ({ fast, slow, share }) =>
        (random: () => number) =>
          (random() < share ? fast : slow) * (0.8 + 0.4 * random()),
    ),
  constant: fc.double({ min: 0, max: 1e6, noNaN: true }).map((c) => () => c),
  outliers: fc
    .record({ base: fc.double({ min: 1, max: 200, noNaN: true }), rate: fc.double({ min: 0, max: 0.05, noNaN: true }) })
    .map(
      ({ base, rate }) =>
        (random: () => number) =>
          random() < rate ? base * 1e4 * (1 + random()) : base * (0.5 + random()),
    ),
};

const sample = (dist: fc.Arbitrary<Distribution>) =>
  fc.record({ dist, seed: fc.integer(), n: fc.integer({ min: 1, max: 3000 }) }).map(({ dist: draw, seed, n }) => {
    const random = rng(seed);
    return Array.from({ length: n }, () => draw(random));
  });

const ALPHA = 0.01;
// α plus floating-point slack at bucket boundaries.
const BOUND = ALPHA * (1 + 1e-9) + 1e-12;

describe('sketch relative-error bound (property)', () => {
  for (const [name, dist] of Object.entries(distributions)) {
    it(`p50/p90/p99 are within α of the exact nearest-rank quantile: ${name}`, () => {
      fc.assert(
        fc.property(sample(dist), (values) => {
          const sketch = createSketch({ relativeAccuracy: ALPHA });
          for (const v of values) sketch.add(v);
          for (const p of [50, 90, 99]) {
            const error = relativeError(sketch.quantile(p / 100) as number, exactPercentile(values, p));
            if (error > BOUND) return false;
          }
          return true;
        }),
        { numRuns: 60 },
      );
    });
  }

  it('holds for other accuracies too', () => {
    fc.assert(
      fc.property(
        sample(distributions.lognormal as fc.Arbitrary<Distribution>),
        fc.double({ min: 0.001, max: 0.1, noNaN: true }),
        (values, alpha) => {
          // Enough buckets that nothing collapses: the bound is only promised before collapsing.
          const sketch = createSketch({ relativeAccuracy: alpha, maxBuckets: 100_000 });
          for (const v of values) sketch.add(v);
          return [50, 90, 99].every(
            (p) =>
              relativeError(sketch.quantile(p / 100) as number, exactPercentile(values, p)) <=
              alpha * (1 + 1e-9) + 1e-12,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('merge(a, b) equals the sketch of a ++ b (property)', () => {
  it('has the same buckets, count, min, max and quantiles', () => {
    const anyDist = fc.oneof(...Object.values(distributions));
    fc.assert(
      fc.property(sample(anyDist), sample(anyDist), (a, b) => {
        const sa = createSketch();
        const sb = createSketch();
        const all = createSketch();
        for (const v of a) sa.add(v);
        for (const v of b) sb.add(v);
        for (const v of [...a, ...b]) all.add(v);
        sa.merge(sb);
        const merged = sa.toJSON();
        const direct = all.toJSON();
        expect(merged.bins).toEqual(direct.bins);
        expect(merged.count).toBe(direct.count);
        expect(merged.zeroCount).toBe(direct.zeroCount);
        expect(merged.min).toBe(direct.min);
        expect(merged.max).toBe(direct.max);
        expect(Math.abs(merged.sum - direct.sum)).toBeLessThanOrEqual(1e-9 * direct.sum);
        for (const q of [0.5, 0.9, 0.99]) expect(sa.quantile(q)).toBe(all.quantile(q));
      }),
      { numRuns: 80 },
    );
  });
});
