import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';

/** The part of Node's `process` the orchestrator uses (injectable for tests). */
export interface ProcessLike {
  on(event: string, listener: (signal: string) => void): unknown;
  off(event: string, listener: (signal: string) => void): unknown;
  exit(code: number): void;
}

/** A pino-style logger: `(fields, message)`. */
export interface ShutdownLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Exit codes; each outcome has its own so a supervisor can tell them apart. */
export interface ShutdownExitCodes {
  /** Everything finished. Default: 0. */
  readonly clean: number;
  /** A close hook threw or passed its own timeout; the rest still ran. Default: 1. */
  readonly hookFailed: number;
  /** The overall deadline passed. Default: 124 (as `timeout(1)`). */
  readonly deadline: number;
  /** A second signal arrived during shutdown. Default: 128 + the signal's number (SIGINT 130, SIGTERM 143). */
  readonly secondSignal?: number | undefined;
}

/** Options of {@link createShutdown}. */
export interface ShutdownOptions {
  /** Readiness to fail the moment shutdown begins (a `@bulwark/health` registry, or anything with `markShuttingDown`). */
  health?: { markShuttingDown(): void } | undefined;
  /**
   * Time between failing readiness and closing the listener, so load balancers see the 503 and
   * stop routing here while requests are still served. Default: 5 000 ms (set it above your
   * readiness probe's `periodSeconds × failureThreshold`).
   */
  drainDelayMs?: number | undefined;
  /**
   * Budget for the whole shutdown, from the signal to the last hook. When it passes, connections
   * are destroyed and the process exits with `exitCodes.deadline`. Default: 25 000 ms (below
   * Kubernetes' default 30 s grace period).
   */
  deadlineMs?: number | undefined;
  /** Default timeout of each close hook. Default: 5 000 ms. */
  hookTimeoutMs?: number | undefined;
  /** Signals that start a shutdown. Default: `['SIGTERM', 'SIGINT']`. */
  signals?: readonly string[] | undefined;
  /** Exit codes. */
  exitCodes?: Partial<ShutdownExitCodes> | undefined;
  /** Exit the process when done. Default: `true`. */
  exit?: boolean | undefined;
  /** Where progress is logged. Default: one JSON line per event on stderr. */
  logger?: ShutdownLogger | undefined;
  /** The process to listen on and exit. Default: the global `process`. */
  process?: ProcessLike | undefined;
  /** Time source. Default: the system clock. */
  clock?: Clock | undefined;
  /** Timers. The deadline timer is ref'd on purpose: it keeps the event loop alive until the hooks ran. */
  timers?: TimerProvider | undefined;
}

/** Options after defaults and validation. */
export interface ResolvedShutdownOptions {
  readonly health: { markShuttingDown(): void } | undefined;
  readonly drainDelayMs: number;
  readonly deadlineMs: number;
  readonly hookTimeoutMs: number;
  readonly signals: readonly string[];
  readonly exitCodes: ShutdownExitCodes;
  readonly exit: boolean;
  readonly logger: ShutdownLogger;
  readonly process: () => ProcessLike;
  readonly clock: Clock;
  readonly timers: TimerProvider;
}

const MAX_MS = 2_147_483_647;

const stderrLogger: ShutdownLogger = {
  info: (fields, message) => console.error(JSON.stringify({ level: 'info', msg: message, ...fields })),
  error: (fields, message) => console.error(JSON.stringify({ level: 'error', msg: message, ...fields })),
};

/** Applies defaults and validates {@link ShutdownOptions} once. */
export function resolveShutdownOptions(options: ShutdownOptions): ResolvedShutdownOptions {
  const drainDelayMs = options.drainDelayMs ?? 5_000;
  const deadlineMs = options.deadlineMs ?? 25_000;
  const hookTimeoutMs = options.hookTimeoutMs ?? 5_000;
  assertNumberOption('drainDelayMs', drainDelayMs, { min: 0, max: MAX_MS });
  assertNumberOption('deadlineMs', deadlineMs, { min: 1, max: MAX_MS });
  assertNumberOption('hookTimeoutMs', hookTimeoutMs, { min: 1, max: MAX_MS });
  if (drainDelayMs >= deadlineMs) {
    throw new RangeError(`Expected \`drainDelayMs\` (${drainDelayMs}) to be below \`deadlineMs\` (${deadlineMs})`);
  }
  const exitCodes = { clean: 0, hookFailed: 1, deadline: 124, ...options.exitCodes };
  for (const [name, code] of Object.entries(exitCodes)) {
    if (code !== undefined) assertNumberOption(`exitCodes.${name}`, code, { min: 0, max: 255, integer: true });
  }
  const injected = options.process;
  return Object.freeze({
    health: options.health,
    drainDelayMs,
    deadlineMs,
    hookTimeoutMs,
    signals: Object.freeze([...(options.signals ?? ['SIGTERM', 'SIGINT'])]),
    exitCodes: Object.freeze(exitCodes),
    exit: options.exit ?? true,
    logger: options.logger ?? stderrLogger,
    process: () => injected ?? (globalThis as unknown as { process: ProcessLike }).process,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
  });
}
