import type { Clock, TimerProvider } from '@bulwark/core';
import type { CheckFailureCode, HealthCheck, HealthCheckOutcome } from './health-check.js';
import { raceTimeout } from './internal/race-timeout.js';

/** What one run of a check produced, before it is folded into the cached state. */
export interface CheckRun {
  readonly healthy: boolean;
  readonly code?: CheckFailureCode | undefined;
  readonly error?: unknown;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

function interpret(outcome: HealthCheckOutcome): Pick<CheckRun, 'healthy' | 'details' | 'code'> {
  if (outcome === undefined || outcome === true) return { healthy: true };
  if (outcome === false) return { healthy: false, code: 'health_check_unhealthy' };
  return outcome.healthy
    ? { healthy: true, details: outcome.details }
    : { healthy: false, code: 'health_check_unhealthy', details: outcome.details };
}

/**
 * Runs a check once under its timeout. Never throws: a throw, a timeout or `healthy: false`
 * become an unhealthy run with a code. The timeout aborts the signal handed to the check.
 */
export async function runCheck(
  check: HealthCheck,
  timeoutMs: number,
  clock: Clock,
  timers: TimerProvider,
): Promise<CheckRun> {
  const startedAtMs = clock.now();
  try {
    const raced = await raceTimeout(
      (signal) => check.check({ signal }),
      timeoutMs,
      timers,
      () => `health check '${check.name}'`,
    );
    if (raced.timedOut) return { healthy: false, code: 'health_check_timeout', startedAtMs, finishedAtMs: clock.now() };
    return { ...interpret(raced.value as HealthCheckOutcome), startedAtMs, finishedAtMs: clock.now() };
  } catch (error) {
    return { healthy: false, code: 'health_check_failed', error, startedAtMs, finishedAtMs: clock.now() };
  }
}
