import { describe, expect, it } from 'vitest';
import { createSketch, isSloError, restoreSketch } from '../src/index.js';
import { exactPercentile, relativeError, rng } from './helpers.js';

describe('createSketch', () => {
  it('defaults to 1% relative accuracy and 2,048 buckets', () => {
    const sketch = createSketch();
    expect(sketch.relativeAccuracy).toBe(0.01);
    expect(sketch.maxBuckets).toBe(2048);
  });

  it('is empty until a value is added', () => {
    const sketch = createSketch();
    expect(sketch.count).toBe(0);
    expect(sketch.quantile(0.5)).toBeUndefined();
    expect(sketch.min).toBeUndefined();
    expect(sketch.max).toBeUndefined();
    expect(sketch.countAbove(10)).toBe(0);
  });

  it('validates options, naming them', () => {
    expect(() => createSketch({ relativeAccuracy: 0 })).toThrow(/`relativeAccuracy`/);
    expect(() => createSketch({ relativeAccuracy: 1 })).toThrow(RangeError);
    expect(() => createSketch({ maxBuckets: 3 })).toThrow(/`maxBuckets`/);
    expect(() => createSketch({ maxBuckets: 20.5 })).toThrow(/`maxBuckets`/);
  });

  it('keeps count, sum, min and max exactly', () => {
    const sketch = createSketch();
    for (const v of [5, 1, 100, 0]) sketch.add(v);
    sketch.add(2, 3);
    expect(sketch.count).toBe(7);
    expect(sketch.sum).toBe(112);
    expect(sketch.min).toBe(0);
    expect(sketch.max).toBe(100);
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'rejects %s with slo_invalid_sample',
    (value) => {
      const sketch = createSketch();
      let caught: unknown;
      try {
        sketch.add(value);
      } catch (error) {
        caught = error;
      }
      expect(isSloError(caught)).toBe(true);
      expect((caught as { code: string }).code).toBe('slo_invalid_sample');
      expect(sketch.count).toBe(0);
    },
  );

  it('rejects counts that are not positive integers', () => {
    const sketch = createSketch();
    expect(() => sketch.add(1, 0)).toThrow(expect.objectContaining({ code: 'slo_invalid_sample' }));
    expect(() => sketch.add(1, 1.5)).toThrow(expect.objectContaining({ code: 'slo_invalid_sample' }));
  });

  it('reports quantiles within 1% of the exact nearest-rank sample', () => {
    const random = rng(7);
    const values = Array.from({ length: 10_000 }, () => Math.exp(3 + random() * 4));
    const sketch = createSketch();
    for (const v of values) sketch.add(v);
    for (const p of [1, 25, 50, 90, 99, 100]) {
      const estimate = sketch.quantile(p / 100) as number;
      expect(relativeError(estimate, exactPercentile(values, p))).toBeLessThanOrEqual(0.01 + 1e-12);
    }
    expect(sketch.quantile(0)).toBe(sketch.min);
  });

  it('counts zeros exactly and keeps tiny positive values apart from them', () => {
    const sketch = createSketch();
    for (const v of [0, 0, 1e-12, 10, 10]) sketch.add(v);
    expect(sketch.quantile(0.4)).toBe(0);
    expect(relativeError(sketch.quantile(0.6) as number, 1e-12)).toBeLessThanOrEqual(0.01 + 1e-12);
    expect(sketch.quantile(1)).toBe(10);
  });

  it('rejects quantiles outside [0, 1]', () => {
    const sketch = createSketch();
    expect(() => sketch.quantile(1.5)).toThrow(/`q`/);
  });

  it('counts values above a threshold', () => {
    const sketch = createSketch();
    for (let v = 1; v <= 100; v++) sketch.add(v);
    expect(sketch.countAbove(50)).toBe(50);
    expect(sketch.countAbove(0.5)).toBe(100);
    expect(sketch.countAbove(100)).toBe(0);
  });

  it('keeps memory bounded by collapsing the lowest buckets, so high quantiles stay accurate', () => {
    const sketch = createSketch({ maxBuckets: 64 });
    const values: number[] = [];
    for (let i = 0; i < 2000; i++) values.push(10 ** (-3 + (i % 200) * 0.05));
    for (const v of values) sketch.add(v);
    expect(sketch.collapsed).toBe(true);
    expect(sketch.byteLength).toBeLessThanOrEqual(64 * 8);
    expect(relativeError(sketch.quantile(0.99) as number, exactPercentile(values, 99))).toBeLessThanOrEqual(
      0.01 + 1e-12,
    );
    expect(sketch.toJSON().bins.length).toBeLessThanOrEqual(64);
  });

  it('collapses when values arrive in descending order too', () => {
    const sketch = createSketch({ maxBuckets: 16 });
    for (let i = 0; i < 100; i++) sketch.add(1000 / 1.1 ** i);
    expect(sketch.collapsed).toBe(true);
    expect(sketch.toJSON().bins.length).toBeLessThanOrEqual(16);
    expect(sketch.quantile(1)).toBe(1000);
  });
});

describe('Sketch.merge', () => {
  it('adds the other sketch exactly', () => {
    const a = createSketch();
    const b = createSketch();
    for (const v of [1, 2, 3]) a.add(v);
    for (const v of [100, 200]) b.add(v);
    a.merge(b);
    expect(a.count).toBe(5);
    expect(a.max).toBe(200);
    expect(a.min).toBe(1);
    expect(a.quantile(1)).toBe(200);
  });

  it('ignores an empty sketch', () => {
    const a = createSketch();
    a.add(5);
    a.merge(createSketch());
    expect(a.count).toBe(1);
    expect(a.min).toBe(5);
  });

  it('refuses sketches with another accuracy (slo_sketch_mismatch)', () => {
    const a = createSketch();
    expect(() => a.merge(createSketch({ relativeAccuracy: 0.02 }))).toThrow(
      expect.objectContaining({ code: 'slo_sketch_mismatch' }),
    );
  });
});

describe('restoreSketch', () => {
  it('round-trips through JSON', () => {
    const sketch = createSketch();
    for (const v of [0, 3, 30, 300]) sketch.add(v);
    const copy = restoreSketch(JSON.parse(JSON.stringify(sketch)));
    expect(copy.toJSON()).toEqual(sketch.toJSON());
    expect(sketch.copy().toJSON()).toEqual(sketch.toJSON());
  });

  it('restores an empty sketch', () => {
    expect(restoreSketch(createSketch().toJSON()).count).toBe(0);
  });

  const valid = () => {
    const sketch = createSketch();
    sketch.add(10);
    return sketch.toJSON() as unknown as Record<string, unknown>;
  };

  it.each([
    ['not an object', null],
    ['another version', { ...valid(), version: 2 }],
    ['a bad accuracy', { ...valid(), relativeAccuracy: 2 }],
    ['a negative count', { ...valid(), count: -1 }],
    ['a bad sum', { ...valid(), sum: 'x' }],
    ['bins that are not an array', { ...valid(), bins: {} }],
    ['a malformed bin', { ...valid(), bins: [[1.5, 1]] }],
    ['counts that do not add up', { ...valid(), count: 2 }],
    ['min above max', { ...valid(), min: 20, max: 10 }],
  ])('rejects %s with slo_invalid_export', (_name, json) => {
    expect(() => restoreSketch(json)).toThrow(expect.objectContaining({ code: 'slo_invalid_export' }));
  });
});
