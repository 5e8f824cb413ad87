import { describe, expect, it } from 'vitest';
import { createSloRecorder, parseLatencies } from '../src/index.js';

describe('parseLatencies', () => {
  it('reads one number a line, skipping blanks and comments', () => {
    expect(parseLatencies('# latencies\n12\n\n15.5\r\n1e3\n')).toEqual({
      format: 'lines',
      samples: [12, 15.5, 1000],
      errors: [],
    });
  });

  it('reports every bad line with its 1-based number', () => {
    const { errors, samples } = parseLatencies('12\nabc\n-5\nNaN\n\nInfinity\n7');
    expect(samples).toEqual([12, 7]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 6]);
    expect(errors[0]).toEqual({ line: 2, text: 'abc', message: 'not a finite duration ≥ 0: "abc"' });
  });

  it('reads the duration_ms column of a CSV, with quoted fields', () => {
    const csv = 'route,duration_ms,status\n"GET /a, b",12,200\nGET /c,"30",500\nGET /d,x,200\nGET /e\n';
    const parsed = parseLatencies(csv);
    expect(parsed.format).toBe('csv');
    expect(parsed.samples).toEqual([12, 30]);
    expect(parsed.errors.map((e) => [e.line, e.message])).toEqual([
      [4, 'not a finite duration ≥ 0: "x"'],
      [5, 'missing the duration_ms column (#2)'],
    ]);
  });

  it('handles escaped quotes in CSV fields', () => {
    expect(parseLatencies('note,duration_ms\n"say ""hi""",5\n').samples).toEqual([5]);
  });

  it('rejects a CSV without a duration_ms column on line 1', () => {
    const parsed = parseLatencies('route,latency\n/a,5\n');
    expect(parsed.errors).toEqual([
      { line: 1, text: 'route,latency', message: 'CSV header has no `duration_ms` column' },
    ]);
    expect(parsed.samples).toEqual([]);
  });

  it('loads a recorder JSON export', () => {
    const slo = createSloRecorder();
    slo.record('/a', 5);
    const parsed = parseLatencies(JSON.stringify(slo.toJSON()));
    expect(parsed.format).toBe('json');
    expect(parsed.export?.routes[0]?.samples).toEqual([5]);
  });

  it('reports invalid JSON and invalid exports on line 1', () => {
    expect(parseLatencies('{ nope').errors[0]?.message).toMatch(/^invalid JSON/);
    expect(parseLatencies('{"format":"x"}').errors[0]?.message).toMatch(/format/);
  });
});
