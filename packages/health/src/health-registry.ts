import { CheckSlot } from './check-slot.js';
import type { CheckResult, HealthCheck, HealthCheckKind } from './health-check.js';
import { type HealthOptions, resolveHealthOptions } from './health-options.js';
import { buildReport, type HealthReport } from './health-report.js';

/** A registry of cached health checks. Created by {@link createHealth}. */
export interface Health {
  /**
   * Adds a check (it starts refreshing at once if the registry is started).
   * @returns A function that removes the check.
   * @throws {TypeError} when the name is taken or an option is invalid.
   */
  register(check: HealthCheck): () => void;
  /** Starts every check's background refresh loop (timers are unref'd). Idempotent. */
  start(): void;
  /** Stops the refresh loops. */
  stop(): void;
  /** Runs every check now (a run in flight is awaited, not repeated) and returns the dependencies view. */
  refresh(): Promise<HealthReport>;
  /** The liveness probe, from cached results: fails only on a critical liveness check. */
  liveness(): HealthReport;
  /** The readiness probe, from cached results: fails on a critical readiness check or once shutting down. */
  readiness(): HealthReport;
  /** Every check, for an operator's dependencies view (never fails the request: a view, not a probe). */
  dependencies(): HealthReport;
  /** Fails readiness from now on; called by the shutdown orchestrator when a drain begins. */
  markShuttingDown(): void;
  /** Whether {@link Health.markShuttingDown} was called. */
  readonly shuttingDown: boolean;
}

/**
 * Creates a health registry. Checks run in the background, each on its own interval and
 * under its own timeout; probes only read cached results, so a probe costs the same whatever the
 * checks do and a probe flood never reaches a database.
 *
 * A check that has not run yet fails readiness (`health_check_pending`) but not liveness; a
 * result older than `staleFactor × intervalMs + timeoutMs` fails (`health_check_stale`).
 *
 * @param options - Checks, default timing, clock and timers.
 * @throws {TypeError | RangeError} when an option or check is invalid.
 * @example
 * ```ts
 * const health = createHealth({
 *   checks: [{ name: 'database', check: () => db.prepare('select 1').get() !== undefined }],
 * });
 * health.start();
 * await health.refresh(); // ready before the listener opens
 * health.readiness().httpStatus; // 200
 * ```
 */
export function createHealth(options: HealthOptions = {}): Health {
  const resolved = resolveHealthOptions(options);
  const slots = new Map<string, CheckSlot>();
  let started = false;
  let shuttingDown = false;

  function register(check: HealthCheck): () => void {
    const slot = new CheckSlot(check, resolved);
    if (slots.has(slot.name)) throw new TypeError(`A health check named '${slot.name}' is already registered`);
    slots.set(slot.name, slot);
    if (started) slot.start();
    return () => {
      if (slots.get(slot.name) !== slot) return;
      slot.dispose();
      slots.delete(slot.name);
    };
  }

  function results(kind: HealthCheckKind | undefined) {
    const now = resolved.clock.now();
    const out: CheckResult[] = [];
    for (const slot of slots.values()) {
      if (kind !== undefined && slot.kind !== kind) continue;
      const result = slot.result(now);
      // A liveness check that has not run yet must not get a starting process restarted.
      out.push(
        kind === 'liveness' && result.code === 'health_check_pending'
          ? { ...result, status: 'pass' as const, code: undefined }
          : result,
      );
    }
    return out;
  }

  for (const check of options.checks ?? []) register(check);

  const health: Omit<Health, 'shuttingDown'> = {
    register,
    start() {
      started = true;
      for (const slot of slots.values()) slot.start();
    },
    stop() {
      started = false;
      for (const slot of slots.values()) slot.stop();
    },
    async refresh() {
      await Promise.all([...slots.values()].map((slot) => slot.refresh()));
      return buildReport(results(undefined), shuttingDown, false);
    },
    liveness: () => buildReport(results('liveness'), shuttingDown, false),
    readiness: () => buildReport(results('readiness'), shuttingDown, true),
    dependencies() {
      const report = buildReport(results(undefined), shuttingDown, false);
      return { ...report, httpStatus: 200 };
    },
    markShuttingDown() {
      shuttingDown = true;
    },
  };
  // Not a getter in the literal: V8 builds such a literal in dictionary mode, where each probe's
  // `health.readiness` is a hash lookup the optimizer cannot inline.
  Object.defineProperty(health, 'shuttingDown', { get: () => shuttingDown, enumerable: true, configurable: true });
  return health as Health;
}
