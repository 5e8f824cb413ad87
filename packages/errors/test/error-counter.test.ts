import { FakeClock } from '@bulwark/testing';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { BulwarkError, createErrorCounter, defineErrors, type ErrorRecordedEvent, err } from '../src/index.js';

describe('createErrorCounter', () => {
  it('counts by code with first and last seen from the injected clock', () => {
    const clock = new FakeClock(1_000);
    const counter = createErrorCounter({ clock });
    counter.record(err('not_found'));
    clock.advance(500);
    counter.record(err('not_found'));
    counter.record(err('conflict'));
    const snapshot = counter.snapshot();
    expect(snapshot.total).toBe(3);
    expect(snapshot.takenAtMs).toBe(1_500);
    expect(snapshot.codes).toEqual([
      {
        code: 'not_found',
        status: 404,
        title: 'Not Found',
        retryable: false,
        count: 2,
        firstSeenMs: 1_000,
        lastSeenMs: 1_500,
      },
      {
        code: 'conflict',
        status: 409,
        title: 'Conflict',
        retryable: false,
        count: 1,
        firstSeenMs: 1_500,
        lastSeenMs: 1_500,
      },
    ]);
  });

  it('folds unregistered codes into unknown_error and non-Bulwark throws into internal_error', () => {
    const counter = createErrorCounter();
    expect(counter.record(new BulwarkError({ code: 'user_123_exploded' }))).toBe('unknown_error');
    expect(counter.record(new Error('boom'))).toBe('internal_error');
    expect(counter.record('a string')).toBe('internal_error');
    expect(
      counter
        .snapshot()
        .codes.map((c) => c.code)
        .sort(),
    ).toEqual(['internal_error', 'unknown_error']);
  });

  it('counts with a registry that defines nothing: status 500, the code as title, not retryable', () => {
    const counter = createErrorCounter({ registry: { get: () => undefined, entries: () => [] } });
    counter.record(new Error('boom'));
    expect(counter.snapshot().codes).toMatchObject([
      { code: 'internal_error', status: 500, title: 'internal_error', retryable: false, count: 1 },
    ]);
  });

  it('counts codes from any catalog defined in the process', () => {
    const catalog = defineErrors({
      gizmo_broken: { status: 502, title: 'Gizmo Broken', retryable: true, description: 'x' },
    });
    const counter = createErrorCounter();
    expect(counter.record(catalog.err('gizmo_broken'))).toBe('gizmo_broken');
    expect(counter.snapshot().codes[0]).toMatchObject({ code: 'gizmo_broken', status: 502, retryable: true });
  });

  it('forwards each record to the hook and survives a throwing hook', () => {
    const events: ErrorRecordedEvent[] = [];
    const counter = createErrorCounter({ onRecord: (event) => events.push(event) });
    counter.record(err('forbidden'));
    expect(events).toEqual([{ code: 'forbidden', status: 403, retryable: false }]);
    const broken = createErrorCounter({
      onRecord: () => {
        throw new Error('metrics down');
      },
    });
    expect(() => broken.record(err('forbidden'))).not.toThrow();
    expect(broken.snapshot().total).toBe(1);
  });

  it('resets', () => {
    const counter = createErrorCounter();
    counter.record(err('conflict'));
    counter.reset();
    expect(counter.snapshot()).toMatchObject({ total: 0, codes: [] });
  });

  it('exports Prometheus text that a parser reads back', () => {
    const counter = createErrorCounter({ clock: new FakeClock() });
    for (let i = 0; i < 3; i++) counter.record(err('not_found'));
    counter.record(err('validation_failed'));
    const text = counter.toPrometheus();
    expect(text).toMatch(/^# HELP bulwark_errors_total .+\n# TYPE bulwark_errors_total counter\n/);
    const families = parsePrometheusTextFormat(text);
    expect(families).toEqual([
      {
        name: 'bulwark_errors_total',
        help: 'Errors recorded, by stable error code.',
        type: 'COUNTER',
        metrics: [
          { labels: { code: 'not_found', status: '404' }, value: '3' },
          { labels: { code: 'validation_failed', status: '422' }, value: '1' },
        ],
      },
    ]);
  });

  it('uses a custom metric name', () => {
    const counter = createErrorCounter({ metricName: 'api_errors_total' });
    counter.record(err('conflict'));
    expect(counter.toPrometheus()).toContain('api_errors_total{code="conflict",status="409"} 1');
  });
});
