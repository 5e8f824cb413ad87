import type { CheckResult, CheckStatus } from './health-check.js';

/** A probe's answer, shaped after the IETF health-check response draft (`application/health+json`). */
export interface HealthReport {
  /** `pass`, `warn` (a non-critical check fails) or `fail`. */
  readonly status: CheckStatus;
  /** 200 unless the status is `fail`; then 503. */
  readonly httpStatus: 200 | 503;
  /** Whether a graceful shutdown has begun (readiness fails from that moment). */
  readonly shuttingDown: boolean;
  /** The checks that fed this report, in registration order. */
  readonly checks: readonly CheckResult[];
}

/** Folds check results into one status: any `fail` fails, else any `warn` warns. */
export function aggregateStatus(results: readonly CheckResult[], forceFail = false): CheckStatus {
  if (forceFail || results.some((result) => result.status === 'fail')) return 'fail';
  return results.some((result) => result.status === 'warn') ? 'warn' : 'pass';
}

/** Builds a report from already-computed results. */
export function buildReport(
  results: readonly CheckResult[],
  shuttingDown: boolean,
  failOnShutdown: boolean,
): HealthReport {
  const status = aggregateStatus(results, shuttingDown && failOnShutdown);
  return Object.freeze({
    status,
    httpStatus: status === 'fail' ? 503 : 200,
    shuttingDown,
    checks: Object.freeze([...results]),
  });
}
