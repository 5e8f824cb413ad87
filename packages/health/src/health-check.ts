/** Which probe a check feeds: liveness (restart me) or readiness (send me traffic). */
export type HealthCheckKind = 'liveness' | 'readiness';

/**
 * What a check function returns: nothing or `true` for healthy, `false` for unhealthy, or an
 * object with `healthy` and optional `details` for the dependencies view. Throwing is unhealthy.
 */
export type HealthCheckOutcome =
  | undefined
  | boolean
  | { readonly healthy: boolean; readonly details?: Readonly<Record<string, unknown>> };

/** What a check function receives. */
export interface HealthCheckContext {
  /** Aborted when the check's `timeoutMs` passes; pass it to I/O so timed-out work stops. */
  readonly signal: AbortSignal;
}

/**
 * One dependency or self check. Checks run in the background on their own interval; probes
 * read the cached result, so a probe never runs the check itself.
 */
export interface HealthCheck {
  /** Unique name, shown in the dependencies view (e.g. `sqlite`, `redis`, `breakers`). */
  readonly name: string;
  /** The check. Keep it cheap: a `SELECT 1` or `PING`, never a scan. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a check that only awaits (`async () => { await redis.ping(); }`) returns Promise<void>.
  check(context: HealthCheckContext): Promise<HealthCheckOutcome | void> | HealthCheckOutcome | void;
  /** Which probe it feeds. Default: `readiness`. */
  readonly kind?: HealthCheckKind | undefined;
  /**
   * A failing critical check fails its probe (503); a failing non-critical one only degrades it
   * (still 200, status `warn`). Default: `true`.
   */
  readonly critical?: boolean | undefined;
  /** A run taking longer fails with `health_check_timeout`. Default: the registry's (1 000 ms). */
  readonly timeoutMs?: number | undefined;
  /** Time between the end of one run and the start of the next. Default: the registry's (5 000 ms). */
  readonly intervalMs?: number | undefined;
}

/** Status of one check or of a whole probe, as in the IETF health-check response draft. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** Why a check is failing, as a stable code (the thrown error itself is never exposed). */
export type CheckFailureCode =
  | 'health_check_pending'
  | 'health_check_failed'
  | 'health_check_unhealthy'
  | 'health_check_timeout'
  | 'health_check_stale';

/** The cached state of one check, as the dependencies view shows it. */
export interface CheckResult {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  /** `pass`; `fail` when a critical check fails; `warn` when a non-critical one does. */
  readonly status: CheckStatus;
  /** Present when the check is not passing. */
  readonly code?: CheckFailureCode | undefined;
  /** Epoch ms when the last run finished, `undefined` before the first run. */
  readonly checkedAtMs?: number | undefined;
  /** Duration of the last run in ms. */
  readonly durationMs?: number | undefined;
  /** Epoch ms of the last passing run. */
  readonly lastSuccessAtMs?: number | undefined;
  /** Failed runs in a row. */
  readonly consecutiveFailures: number;
  /** `details` returned by the check on its last run. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}
