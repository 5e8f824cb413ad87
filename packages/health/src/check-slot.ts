import type { CheckFailureCode, CheckResult, CheckStatus, HealthCheck, HealthCheckKind } from './health-check.js';
import { assertCheckTiming, type ResolvedHealthOptions } from './health-options.js';
import { type CheckRun, runCheck } from './run-check.js';

/** One registered check: its cached result, its refresh timer and its in-flight run. */
export class CheckSlot {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  readonly #check: HealthCheck;
  readonly #options: ResolvedHealthOptions;
  readonly #timeoutMs: number;
  readonly #intervalMs: number;
  readonly #staleAfterMs: number;
  #lastRun: CheckRun | undefined;
  #lastSuccessAtMs: number | undefined;
  #consecutiveFailures = 0;
  #inFlight: Promise<void> | undefined;
  #timer: unknown;
  #scheduled = false;
  #disposed = false;

  constructor(check: HealthCheck, options: ResolvedHealthOptions) {
    if (typeof check.name !== 'string' || check.name.length === 0 || check.name.length > 100) {
      throw new TypeError('Expected `name` to be a non-empty string of at most 100 characters');
    }
    if (typeof check.check !== 'function')
      throw new TypeError(`Expected \`check\` of '${check.name}' to be a function`);
    const kind = check.kind ?? 'readiness';
    if (kind !== 'liveness' && kind !== 'readiness') {
      throw new TypeError(`Expected \`kind\` of '${check.name}' to be 'liveness' or 'readiness'`);
    }
    this.#timeoutMs = check.timeoutMs ?? options.timeoutMs;
    this.#intervalMs = check.intervalMs ?? options.intervalMs;
    assertCheckTiming('timeoutMs', this.#timeoutMs);
    assertCheckTiming('intervalMs', this.#intervalMs);
    this.name = check.name;
    this.kind = kind;
    this.critical = check.critical ?? true;
    this.#check = check;
    this.#options = options;
    this.#staleAfterMs = options.staleFactor * this.#intervalMs + this.#timeoutMs;
  }

  /** Runs the check now unless a run is already in flight, whose end is awaited instead. */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Starts the refresh loop: a run now, then one `intervalMs` after each run ends. */
  start(): void {
    if (this.#scheduled || this.#disposed) return;
    this.#scheduled = true;
    this.#schedule(0);
  }

  /** Stops the refresh loop; an in-flight run still records its result. */
  stop(): void {
    this.#scheduled = false;
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops for good (the check was unregistered). */
  dispose(): void {
    this.#disposed = true;
    this.stop();
  }

  /** The cached state, judged at `nowMs` (a result older than the stale bound fails). */
  result(nowMs: number): CheckResult {
    const run = this.#lastRun;
    const code = this.#failureCode(run, nowMs);
    const status: CheckStatus = code === undefined ? 'pass' : this.critical ? 'fail' : 'warn';
    return Object.freeze({
      name: this.name,
      kind: this.kind,
      critical: this.critical,
      status,
      code,
      checkedAtMs: run?.finishedAtMs,
      durationMs: run === undefined ? undefined : run.finishedAtMs - run.startedAtMs,
      lastSuccessAtMs: this.#lastSuccessAtMs,
      consecutiveFailures: this.#consecutiveFailures,
      details: run?.details,
    });
  }

  #failureCode(run: CheckRun | undefined, nowMs: number): CheckFailureCode | undefined {
    if (run === undefined) return 'health_check_pending';
    if (!run.healthy) return run.code ?? 'health_check_unhealthy';
    return nowMs - run.finishedAtMs > this.#staleAfterMs ? 'health_check_stale' : undefined;
  }

  #schedule(delayMs: number): void {
    this.#timer = this.#options.timers.setTimeout(
      () => {
        this.#timer = undefined;
        void this.refresh().then(() => {
          if (this.#scheduled) this.#schedule(this.#intervalMs);
        });
      },
      delayMs,
      { unref: true },
    );
  }

  async #run(): Promise<void> {
    const { clock, timers, onStatusChange } = this.#options;
    const before = this.#lastRun === undefined ? undefined : this.result(clock.now()).status;
    const run = await runCheck(this.#check, this.#timeoutMs, clock, timers);
    this.#lastRun = run;
    if (run.healthy) {
      this.#lastSuccessAtMs = run.finishedAtMs;
      this.#consecutiveFailures = 0;
    } else {
      this.#consecutiveFailures += 1;
    }
    if (onStatusChange === undefined) return;
    const after = this.result(clock.now());
    if (after.status !== before) onStatusChange(after, run.error);
  }
}
