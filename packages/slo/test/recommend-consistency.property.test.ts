import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSloRecorder, recommendThreshold } from '../src/index.js';
import { normal, rng } from './helpers.js';

type Workload = (random: () => number) => number;
const workloads: Record<string, fc.Arbitrary<Workload>> = {
  lognormal: fc
    .record({ mu: fc.double({ min: 0, max: 7, noNaN: true }), sigma: fc.double({ min: 0.05, max: 2.5, noNaN: true }) })
    .map(
      ({ mu, sigma }) =>
        (random) =>
          Math.exp(mu + sigma * normal(random)),
    ),
  pareto: fc
    .record({
      scale: fc.double({ min: 1, max: 500, noNaN: true }),
      shape: fc.double({ min: 0.5, max: 4, noNaN: true }),
    })
    .map(
      ({ scale, shape }) =>
        (random) =>
          scale / (1 - random()) ** (1 / shape),
    ),
  bimodal: fc
    .record({
      fast: fc.double({ min: 1, max: 50, noNaN: true }),
      slow: fc.double({ min: 100, max: 30_000, noNaN: true }),
      share: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    })
    .map(
      ({ fast, slow, share }) =>
        (random) =>
          (random() < share ? fast : slow) * (0.8 + 0.4 * random()),
    ),
};

describe('recommendation and breach alert agree', () => {
  it('the old default (p90 + 20%) breached the 5% target on a lognormal workload; the new default does not', () => {
    const random = rng(7);
    const samples = Array.from({ length: 1000 }, () => Math.exp(4 + 1.2 * normal(random)));
    const old = recommendThreshold(samples, { quantile: 0.9, headroom: 0.2 });
    expect(old.status === 'ok' && old.breachRatio).toBeGreaterThan(0.05);
    expect(old.status === 'ok' && old.withinTarget).toBe(false);
    const now = recommendThreshold(samples);
    expect(now.status === 'ok' && now.breachRatio).toBeLessThanOrEqual(0.025);
    expect(now.status === 'ok' && now.withinTarget).toBe(true);
  });

  for (const [name, workload] of Object.entries(workloads)) {
    it(`on ${name} workloads, the recommended threshold breaches at most breachTarget × budgetShare of its own samples and the breach alert agrees (property)`, () => {
      fc.assert(
        fc.property(
          workload,
          fc.integer({ min: 1, max: 2 ** 31 }),
          fc.double({ min: 0.001, max: 0.5, noNaN: true }),
          fc.double({ min: 0.05, max: 0.999, noNaN: true }),
          (draw, seed, breachTarget, budgetShare) => {
            const random = rng(seed);
            const samples = Array.from({ length: 500 }, () => draw(random));
            const result = recommendThreshold(samples, { breachTarget, budgetShare });
            if (result.status !== 'ok') throw new Error('expected a recommendation');
            const above = samples.filter((v) => v > result.thresholdMs).length;
            expect(result.breachRatio).toBe(above / samples.length);
            // Nearest rank: at most n − ⌈q·n⌉ samples lie above (⌈⌉ forgives 1e-9 of float noise).
            expect(above).toBeLessThanOrEqual(Math.floor(samples.length * breachTarget * budgetShare + 1e-6));
            if (budgetShare < 1) expect(result.withinTarget).toBe(true);
            // The same threshold in a recorder holding the same samples: the breach alert agrees.
            const slo = createSloRecorder({
              capacity: samples.length,
              breachTarget,
              thresholdsMs: { r: result.thresholdMs },
            });
            for (const v of samples) slo.record('r', v);
            expect(slo.breachRatio('r', result.thresholdMs).exceeded).toBe(!result.withinTarget);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
