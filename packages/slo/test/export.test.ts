import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createSloRecorder, mergeSloExports, parseSloExport, restoreSketch } from '../src/index.js';

function recorderWith(values: number[], route = 'GET /a') {
  const slo = createSloRecorder({ clock: new FakeClock(Date.UTC(2026, 0, 1)), thresholdsMs: { [route]: 100 } });
  for (const v of values) slo.record(route, v);
  return slo;
}

describe('toPrometheus', () => {
  it('exports a latency summary with quantiles, _sum and _count per route', () => {
    const slo = recorderWith([10, 20, 30, 40]);
    slo.record('GET "b"', 5, 'error');
    const text = slo.toPrometheus();
    expect(text).toContain('# TYPE slo_latency_ms summary');
    expect(text).toContain('slo_latency_ms{route="GET /a",quantile="0.5"} ');
    expect(text).toContain('slo_latency_ms{route="GET /a",quantile="0.99"} 40');
    expect(text).toContain('slo_latency_ms_sum{route="GET /a"} 100');
    expect(text).toContain('slo_latency_ms_count{route="GET /a"} 4');
    expect(text).toContain('slo_latency_ms_count{route="GET \\"b\\""} 1');
    expect(text).toContain('# TYPE slo_error_budget_remaining gauge');
    expect(text).toContain('slo_error_budget_remaining{route="GET /a"} 1');
  });

  it('takes quantiles, a window and a prefix; empty windows report NaN', () => {
    const clock = new FakeClock(0);
    const slo = createSloRecorder({ clock });
    slo.record('/a', 1);
    clock.advance(3 * 3_600_000);
    const text = slo.toPrometheus({ quantiles: [0.75], windowMs: 3_600_000, prefix: 'api' });
    expect(text).toContain('api_latency_ms{route="/a",quantile="0.75"} NaN');
    expect(text).toContain('api_latency_ms_count{route="/a"} 0');
  });

  it('renders an empty recorder', () => {
    expect(createSloRecorder().toPrometheus()).toContain('slo_invalid_samples_total 0');
  });
});

describe('JSON export', () => {
  it('round-trips through parseSloExport', () => {
    const slo = recorderWith([10, 20, 30]);
    const json = JSON.parse(JSON.stringify(slo.toJSON()));
    const parsed = parseSloExport(json);
    expect(parsed).toEqual(slo.toJSON());
    expect(parsed.routes[0]).toMatchObject({ route: 'GET /a', thresholdMs: 100, samples: [10, 20, 30] });
    expect(restoreSketch(parsed.routes[0]?.sketch).count).toBe(3);
  });

  const good = () => JSON.parse(JSON.stringify(recorderWith([1, 2]).toJSON()));
  it.each([
    ['not an object', () => 'x'],
    ['a wrong format', () => ({ ...good(), format: 'other' })],
    ['a wrong version', () => ({ ...good(), version: 9 })],
    ['a bad exportedAtMs', () => ({ ...good(), exportedAtMs: -1 })],
    ['a bad capacity', () => ({ ...good(), capacity: 0 })],
    ['routes that are not an array', () => ({ ...good(), routes: {} })],
    ['a route that is not an object', () => ({ ...good(), routes: [null] })],
    ['an empty route name', () => ({ ...good(), routes: [{ ...good().routes[0], route: '' }] })],
    ['a negative threshold', () => ({ ...good(), routes: [{ ...good().routes[0], thresholdMs: -1 }] })],
    ['samples that are not an array', () => ({ ...good(), routes: [{ ...good().routes[0], samples: 'x' }] })],
    ['a NaN sample', () => ({ ...good(), routes: [{ ...good().routes[0], samples: [1, null] }] })],
    ['a broken sketch', () => ({ ...good(), routes: [{ ...good().routes[0], sketch: { version: 1 } }] })],
  ])('rejects %s with slo_invalid_export', (_name, make) => {
    expect(() => parseSloExport(make())).toThrow(expect.objectContaining({ code: 'slo_invalid_export' }));
  });

  it('merges exports of a fleet: sketches exactly, samples concatenated', () => {
    const a = recorderWith([10, 20]);
    const b = recorderWith([30, 40, 50]);
    const c = recorderWith([7], 'GET /c');
    const fleet = mergeSloExports([a.toJSON(), b.toJSON(), c.toJSON()]);
    expect(fleet.capacity).toBe(3000);
    const route = fleet.routes.find((r) => r.route === 'GET /a');
    expect(route?.samples).toEqual([10, 20, 30, 40, 50]);
    expect(route?.thresholdMs).toBe(100);
    const sketch = restoreSketch(route?.sketch);
    expect(sketch.count).toBe(5);
    expect(sketch.quantile(1)).toBe(50);
    expect(fleet.routes.map((r) => r.route)).toEqual(['GET /a', 'GET /c']);
  });
});
