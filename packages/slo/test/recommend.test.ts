import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactQuantile, nearestRank, recommendThreshold, roundUpSignificant } from '../src/index.js';
import { exactPercentile } from './helpers.js';

describe('nearestRank / exactQuantile', () => {
  it('uses rank ⌈q·n⌉ without floating-point noise', () => {
    expect(nearestRank(0.9, 1000)).toBe(900);
    expect(nearestRank(0.07, 100)).toBe(7);
    expect(nearestRank(0, 10)).toBe(1);
    expect(nearestRank(1, 10)).toBe(10);
  });

  it('returns one of the samples, as an exact sort does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => exactQuantile(values, p / 100) === exactPercentile(values, p),
      ),
    );
  });

  it('is undefined without samples and rejects q outside [0, 1]', () => {
    expect(exactQuantile([], 0.5)).toBeUndefined();
    expect(() => exactQuantile([1], 2)).toThrow(/`q`/);
  });
});

describe('roundUpSignificant', () => {
  it.each([
    [144, 150],
    [120, 120],
    [1201, 1300],
    [0.0123, 0.013],
    [99.5, 100],
    [7, 7],
    [0, 0],
    [100 * 1.2, 120],
  ])('rounds %s up to %s', (value, expected) => {
    expect(roundUpSignificant(value)).toBe(expected);
  });

  it('never rounds down and keeps two significant figures (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e9, noNaN: true }), (value) => {
        const rounded = roundUpSignificant(value);
        const digits = rounded.toExponential().split('e')[0]?.replace('.', '').replace(/0+$/, '') ?? '';
        return rounded >= value * (1 - 1e-12) && rounded <= value * 1.1 + 1e-9 && digits.length <= 2;
      }),
    );
  });
});

describe('recommendThreshold', () => {
  const latencies = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms

  it('recommends the quantile matching the breach target by default: p97.5 for 5%, rounded up', () => {
    const result = recommendThreshold(latencies, { subject: 'GET /users' });
    expect(result).toMatchObject({
      status: 'ok',
      quantileMs: 975,
      thresholdMs: 980,
      quantile: 0.975,
      headroom: 0,
      breachTarget: 0.05,
      breachRatio: 0.02,
      withinTarget: true,
      samples: 1000,
      window: { kind: 'last_n', capacity: 1000 },
    });
    expect(result.explanation).toBe(
      'The p97.5 of the last 1,000 requests to GET /users is 975 ms; rounding up to two significant figures gives a threshold of 980 ms, which 2% of them exceed, within the 5% breach target.',
    );
  });

  it('still takes an explicit p90 + 20%, and says when that breaches the target', () => {
    const result = recommendThreshold(latencies, { subject: 'GET /users', quantile: 0.9, headroom: 0.2 });
    expect(result).toMatchObject({ quantileMs: 900, thresholdMs: 1100, breachRatio: 0, withinTarget: true });
    expect(result.explanation).toBe(
      'The p90 of the last 1,000 requests to GET /users is 900 ms; adding 20% headroom and rounding up to two significant figures gives a threshold of 1,100 ms, which 0% of them exceed, within the 5% breach target.',
    );
    const loose = recommendThreshold(latencies, { quantile: 0.9, headroom: 0 });
    expect(loose).toMatchObject({ thresholdMs: 900, breachRatio: 0.1, withinTarget: false });
    expect(loose.explanation).toContain('more than the 5% breach target: the breach alert would fire on this data');
  });

  it('matches an exact sort for any data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e5, noNaN: true }), { minLength: 100, maxLength: 400 }),
        (values) => {
          const result = recommendThreshold(values, { quantile: 0.9, headroom: 0.2 });
          const p90 = exactPercentile(values, 90);
          return (
            result.status === 'ok' && result.quantileMs === p90 && result.thresholdMs === roundUpSignificant(p90 * 1.2)
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('takes quantile and headroom', () => {
    const result = recommendThreshold(latencies, { quantile: 0.99, headroom: 0 });
    expect(result).toMatchObject({ status: 'ok', quantileMs: 990, thresholdMs: 990 });
    expect(result.explanation).toContain('p99');
  });

  it('returns insufficient_data below minSamples instead of a number', () => {
    const result = recommendThreshold([10, 20], { minSamples: 3 });
    expect(result.status).toBe('insufficient_data');
    expect(result).not.toHaveProperty('thresholdMs');
    expect(result).toMatchObject({ samples: 2, minSamples: 3 });
    expect(result.explanation).toBe(
      'Only 2 of the required 3 requests to this route were recorded, so no p97.5 threshold is recommended yet.',
    );
  });

  it('defaults minSamples to 100', () => {
    expect(recommendThreshold(latencies.slice(0, 99)).status).toBe('insufficient_data');
    expect(recommendThreshold(latencies.slice(0, 100)).status).toBe('ok');
  });

  it('rejects NaN, negative and infinite samples instead of letting them into the quantile', () => {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => recommendThreshold([...latencies, bad])).toThrow(
        expect.objectContaining({ code: 'slo_invalid_sample' }),
      );
    }
  });

  it('validates options, naming them', () => {
    expect(() => recommendThreshold(latencies, { quantile: 0 })).toThrow(/`quantile`/);
    expect(() => recommendThreshold(latencies, { headroom: -1 })).toThrow(/`headroom`/);
    expect(() => recommendThreshold(latencies, { minSamples: 0.5 })).toThrow(/`minSamples`/);
    expect(() => recommendThreshold(latencies, { breachTarget: 1.5 })).toThrow(/`breachTarget`/);
    expect(() => recommendThreshold(latencies, { budgetShare: 0 })).toThrow(/`budgetShare`/);
    expect(() => recommendThreshold(latencies, { budgetShare: Number.NaN })).toThrow(TypeError);
  });
});
