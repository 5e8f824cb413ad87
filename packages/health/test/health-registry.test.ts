import { FakeClock, settle } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createHealth, type HealthCheck } from '../src/index.js';

function setup(checks: HealthCheck[] = [], options: { intervalMs?: number; timeoutMs?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const health = createHealth({ checks, clock, timers: clock, ...options });
  return { clock, health };
}

describe('createHealth', () => {
  it('is not ready before the first run of a critical readiness check, and ready after it', async () => {
    const { health } = setup([{ name: 'db', check: () => true }]);
    expect(health.readiness()).toMatchObject({ status: 'fail', httpStatus: 503 });
    expect(health.readiness().checks[0]?.code).toBe('health_check_pending');
    await health.refresh();
    expect(health.readiness()).toMatchObject({ status: 'pass', httpStatus: 200 });
  });

  it('keeps liveness passing while a liveness check has not run yet', () => {
    const { health } = setup([{ name: 'loop', kind: 'liveness', check: () => true }]);
    expect(health.liveness()).toMatchObject({ status: 'pass', httpStatus: 200 });
  });

  it('fails a check that throws, without exposing the error', async () => {
    const { health } = setup([
      {
        name: 'db',
        check: () => {
          throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db');
        },
      },
    ]);
    await health.refresh();
    const [result] = health.readiness().checks;
    expect(result).toMatchObject({ status: 'fail', code: 'health_check_failed', consecutiveFailures: 1 });
    expect(JSON.stringify(health.dependencies())).not.toContain('hunter2');
  });

  it('fails a check that exceeds its timeout, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const { clock, health } = setup([
      {
        name: 'slow',
        timeoutMs: 50,
        check: ({ signal }) => {
          seen = signal;
          return new Promise<boolean>(() => {});
        },
      },
    ]);
    const refreshed = health.refresh();
    await clock.advanceAsync(49);
    expect(health.readiness().checks[0]?.code).toBe('health_check_pending');
    await clock.advanceAsync(1);
    await refreshed;
    expect(health.readiness().checks[0]).toMatchObject({
      status: 'fail',
      code: 'health_check_timeout',
      durationMs: 50,
    });
    expect(seen?.aborted).toBe(true);
  });

  it('reports a failing non-critical check as a warning and stays ready', async () => {
    const { health } = setup([
      { name: 'db', check: () => true },
      { name: 'cache', critical: false, check: () => ({ healthy: false, details: { mode: 'degraded' } }) },
    ]);
    await health.refresh();
    expect(health.readiness()).toMatchObject({ status: 'warn', httpStatus: 200 });
    expect(health.readiness().checks[1]).toMatchObject({
      status: 'warn',
      code: 'health_check_unhealthy',
      details: { mode: 'degraded' },
    });
  });

  it('fails readiness (not liveness) from the moment shutdown begins', async () => {
    const { health } = setup([{ name: 'db', check: () => true }]);
    await health.refresh();
    health.markShuttingDown();
    expect(health.shuttingDown).toBe(true);
    expect(health.readiness()).toMatchObject({ status: 'fail', httpStatus: 503, shuttingDown: true });
    expect(health.liveness()).toMatchObject({ status: 'pass', httpStatus: 200 });
  });

  it('refreshes each check in the background, one run per interval', async () => {
    const check = vi.fn(() => true);
    const { clock, health } = setup([{ name: 'db', intervalMs: 1_000, check }]);
    health.start();
    await clock.advanceAsync(0);
    expect(check).toHaveBeenCalledTimes(1);
    await clock.advanceAsync(999);
    expect(check).toHaveBeenCalledTimes(1);
    await clock.advanceAsync(1);
    expect(check).toHaveBeenCalledTimes(2);
    await clock.advanceAsync(10_000);
    expect(check).toHaveBeenCalledTimes(12);
    health.stop();
    await clock.advanceAsync(10_000);
    expect(check).toHaveBeenCalledTimes(12);
  });

  it('answers probes from the cache: a probe flood never runs a check', async () => {
    const check = vi.fn(() => true);
    const { health } = setup([{ name: 'db', check }]);
    await health.refresh();
    for (let i = 0; i < 10_000; i++) health.readiness();
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('runs a check once for concurrent refreshes', async () => {
    let release: () => void = () => {};
    const check = vi.fn(() => new Promise<boolean>((resolve) => (release = () => resolve(true))));
    const { health } = setup([{ name: 'db', check }]);
    const a = health.refresh();
    const b = health.refresh();
    await settle();
    release();
    await Promise.all([a, b]);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('fails a result that went stale because the refresher stopped', async () => {
    const { clock, health } = setup([{ name: 'db', check: () => true }], { intervalMs: 1_000, timeoutMs: 100 });
    await health.refresh();
    // stale after 3 × 1 000 + 100 ms: exactly at the bound it still passes, one ms later it fails.
    clock.advance(3_100);
    expect(health.readiness().status).toBe('pass');
    clock.advance(1);
    expect(health.readiness().checks[0]?.code).toBe('health_check_stale');
  });

  it('tells its listener when a status changes, with the thrown error', async () => {
    const onStatusChange = vi.fn();
    let healthy = true;
    const clock = new FakeClock(0);
    const boom = new Error('down');
    const health = createHealth({
      clock,
      timers: clock,
      onStatusChange,
      checks: [
        {
          name: 'db',
          check: () => {
            if (!healthy) throw boom;
          },
        },
      ],
    });
    await health.refresh();
    await health.refresh();
    healthy = false;
    await health.refresh();
    expect(onStatusChange).toHaveBeenCalledTimes(2);
    expect(onStatusChange.mock.calls[1]?.[0]).toMatchObject({ status: 'fail' });
    expect(onStatusChange.mock.calls[1]?.[1]).toBe(boom);
  });

  it('registers, refuses duplicate names and unregisters', async () => {
    const { health } = setup();
    const remove = health.register({ name: 'db', check: () => false });
    expect(() => health.register({ name: 'db', check: () => true })).toThrow(/already registered/);
    await health.refresh();
    expect(health.readiness().status).toBe('fail');
    remove();
    remove();
    expect(health.readiness()).toMatchObject({ status: 'pass', checks: [] });
  });

  it('starts refreshing checks registered after start', async () => {
    const check = vi.fn(() => true);
    const { clock, health } = setup();
    health.start();
    health.register({ name: 'late', check });
    await clock.advanceAsync(0);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('rejects invalid checks and timing options, naming the option', () => {
    const { health } = setup();
    expect(() => health.register({ name: '', check: () => true })).toThrow(/`name`/);
    expect(() => health.register({ name: 'x', check: 1 as never })).toThrow(/`check`/);
    expect(() => health.register({ name: 'x', kind: 'startup' as never, check: () => true })).toThrow(/`kind`/);
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -1, 2 ** 31), fc.double({ max: 0.999 })),
        (bad) => {
          expect(() => health.register({ name: 'x', timeoutMs: bad, check: () => true })).toThrow(/timeoutMs/);
          expect(() => createHealth({ intervalMs: bad })).toThrow(/intervalMs/);
        },
      ),
    );
    expect(() => createHealth({ staleFactor: 0.5 })).toThrow(/staleFactor/);
  });

  it('aggregates any mix of check outcomes: fail wins over warn wins over pass', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ healthy: fc.boolean(), critical: fc.boolean() }), { maxLength: 8 }),
        async (specs) => {
          const { health } = setup(
            specs.map((spec, i) => ({ name: `c${i}`, critical: spec.critical, check: () => spec.healthy })),
          );
          await health.refresh();
          const report = health.readiness();
          const expected = specs.some((s) => !s.healthy && s.critical)
            ? 'fail'
            : specs.some((s) => !s.healthy)
              ? 'warn'
              : 'pass';
          expect(report.status).toBe(expected);
          expect(report.httpStatus).toBe(expected === 'fail' ? 503 : 200);
          expect(health.dependencies().httpStatus).toBe(200);
        },
      ),
    );
  });
});
