import { raceTimeout } from './internal/race-timeout.js';
import { type HttpServerLike, ServerDrain } from './server-drain.js';
import { type ResolvedShutdownOptions, resolveShutdownOptions, type ShutdownOptions } from './shutdown-options.js';

/** Where a shutdown is: serving, failing readiness while still serving, closing, done. */
export type ShutdownState = 'running' | 'draining' | 'closing' | 'stopped';

/** How one close hook ended. */
export interface HookResult {
  readonly name: string;
  readonly outcome: 'ok' | 'failed' | 'timeout' | 'not_run';
  readonly durationMs?: number | undefined;
}

/** How a shutdown ended. */
export interface ShutdownResult {
  /** The signal name, or the reason passed to `shutdown()`. */
  readonly reason: string;
  readonly outcome: 'clean' | 'hook_failed' | 'deadline' | 'second_signal';
  readonly exitCode: number;
  readonly durationMs: number;
  /** Every hook, in the order they run (reverse registration). */
  readonly hooks: readonly HookResult[];
}

/** A close hook's options. */
export interface HookOptions {
  /** This hook's own timeout; the next hook runs when it passes. Default: the orchestrator's `hookTimeoutMs`. */
  timeoutMs?: number | undefined;
}

/** The graceful-shutdown orchestrator. Created by {@link createShutdown}. */
export interface Shutdown {
  /** Drains this server: readiness 503 first, then stop accepting, then wait for in-flight requests. */
  addServer(server: HttpServerLike, options?: { name?: string | undefined }): void;
  /**
   * Registers a close hook. Hooks run after servers closed and tracked work settled, in REVERSE
   * order of registration (open the database first, close it last), each under its own timeout.
   */
  addHook(name: string, hook: (signal: AbortSignal) => Promise<void> | void, options?: HookOptions): void;
  /** Background work (a flush, a queue drain) that must settle before the hooks run. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Starts listening for the configured signals. @returns A function that stops listening. */
  listen(): () => void;
  /** Starts a shutdown (idempotent: later calls return the same result). */
  shutdown(reason?: string): Promise<ShutdownResult>;
  /** The current state. */
  readonly state: ShutdownState;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

interface Hook {
  readonly name: string;
  readonly run: (signal: AbortSignal) => Promise<void> | void;
  readonly timeoutMs: number;
}

/**
 * Creates a graceful-shutdown orchestrator. On SIGTERM/SIGINT (after `listen()`) or `shutdown()`:
 *
 * 1. readiness fails at once (`health.markShuttingDown()`), the listener stays open for
 *    `drainDelayMs` so load balancers see the 503 and stop routing here;
 * 2. servers stop accepting; in-flight requests finish (their responses ask for `Connection: close`);
 * 3. tracked background work settles;
 * 4. close hooks run in reverse order of registration, each under its own timeout;
 * 5. `shutdown complete` is logged and the process exits 0 (1 if a hook failed).
 *
 * A second signal or the `deadlineMs` budget forces the exit with its own code, after logging
 * what did not finish. The deadline timer is ref'd, so the event loop cannot empty out (and the
 * process exit early) while a hook still waits on unref'd work.
 *
 * @param options - Drain delay, deadline, health registry, logger and injectable process/timers.
 * @throws {TypeError | RangeError} when an option is invalid.
 * @example
 * ```ts
 * const shutdown = createShutdown({ health, drainDelayMs: 5_000, deadlineMs: 25_000 });
 * shutdown.addServer(server);
 * shutdown.addHook('database', () => db.close());
 * shutdown.listen();
 * ```
 */
export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const resolved: ResolvedShutdownOptions = resolveShutdownOptions(options);
  const { clock, timers, logger } = resolved;
  const drains: ServerDrain[] = [];
  const hooks: Hook[] = [];
  const tracked = new Set<Promise<unknown>>();
  const hookResults = new Map<string, HookResult>();
  let state: ShutdownState = 'running';
  let startedAtMs = 0;
  let reason = '';
  let result: Promise<ShutdownResult> | undefined;
  let settle: ((value: ShutdownResult) => void) | undefined;
  let deadlineTimer: unknown;

  function finish(outcome: ShutdownResult['outcome'], exitCode: number): void {
    if (settle === undefined) return;
    const done = settle;
    settle = undefined;
    timers.clearTimeout(deadlineTimer);
    state = 'stopped';
    const ordered = [...hooks]
      .reverse()
      .map((hook) => hookResults.get(hook.name) ?? { name: hook.name, outcome: 'not_run' as const });
    const value: ShutdownResult = Object.freeze({
      reason,
      outcome,
      exitCode,
      durationMs: clock.now() - startedAtMs,
      hooks: Object.freeze(ordered),
    });
    done(value);
    if (resolved.exit) resolved.process().exit(exitCode);
  }

  function force(outcome: 'deadline' | 'second_signal', exitCode: number): void {
    if (settle === undefined) return;
    const unfinished = [...hooks]
      .reverse()
      .filter((hook) => hookResults.get(hook.name)?.outcome !== 'ok')
      .map((hook) => hook.name);
    logger.error(
      {
        reason,
        inFlightRequests: drains.reduce((sum, drain) => sum + drain.inFlight, 0),
        pendingTasks: tracked.size,
        unfinishedHooks: unfinished,
        elapsedMs: clock.now() - startedAtMs,
      },
      outcome === 'deadline' ? 'shutdown deadline passed; forcing exit' : 'second signal during shutdown; forcing exit',
    );
    for (const drain of drains) drain.forceClose();
    finish(outcome, exitCode);
  }

  async function runHooks(): Promise<boolean> {
    let allOk = true;
    for (const hook of [...hooks].reverse()) {
      if (settle === undefined) return allOk;
      const hookStart = clock.now();
      let outcome: HookResult['outcome'] = 'ok';
      try {
        const raced = await raceTimeout(hook.run, hook.timeoutMs, timers, () => `close hook '${hook.name}'`);
        if (raced.timedOut) outcome = 'timeout';
      } catch (error) {
        outcome = 'failed';
        logger.error({ hook: hook.name, err: error instanceof Error ? error.name : typeof error }, 'close hook failed');
      }
      if (outcome !== 'ok') allOk = false;
      hookResults.set(hook.name, { name: hook.name, outcome, durationMs: clock.now() - hookStart });
    }
    return allOk;
  }

  async function run(): Promise<void> {
    state = 'draining';
    resolved.health?.markShuttingDown();
    for (const drain of drains) drain.beginDrain();
    logger.info(
      { reason, drainDelayMs: resolved.drainDelayMs, deadlineMs: resolved.deadlineMs },
      'shutdown started: readiness now fails, still serving during the drain delay',
    );
    // Ref'd on purpose: it keeps the process alive until the hooks ran or the deadline forced an exit.
    deadlineTimer = timers.setTimeout(() => force('deadline', resolved.exitCodes.deadline), resolved.deadlineMs);
    if (resolved.drainDelayMs > 0) {
      await new Promise<void>((resolve) => timers.setTimeout(resolve, resolved.drainDelayMs));
    }
    if (settle === undefined) return;
    state = 'closing';
    logger.info({ inFlightRequests: drains.reduce((sum, drain) => sum + drain.inFlight, 0) }, 'closing listeners');
    await Promise.all(drains.map((drain) => drain.close()));
    await Promise.allSettled([...tracked]);
    const allOk = await runHooks();
    if (settle === undefined) return;
    const outcome = allOk ? 'clean' : 'hook_failed';
    const fields = { reason, durationMs: clock.now() - startedAtMs, hooks: [...hookResults.values()] };
    if (allOk) logger.info(fields, 'shutdown complete');
    else logger.error(fields, 'shutdown complete with failed close hooks');
    finish(outcome, allOk ? resolved.exitCodes.clean : resolved.exitCodes.hookFailed);
  }

  function shutdown(why = 'shutdown() called'): Promise<ShutdownResult> {
    if (result) return result;
    reason = why;
    startedAtMs = clock.now();
    result = new Promise<ShutdownResult>((resolve) => {
      settle = resolve;
    });
    void run();
    return result;
  }

  function onSignal(signal: string): void {
    if (state === 'running') {
      void shutdown(signal);
      return;
    }
    force('second_signal', resolved.exitCodes.secondSignal ?? 128 + (SIGNAL_NUMBERS[signal] ?? 15));
  }

  const controller: Omit<Shutdown, 'state'> = {
    addServer(server, serverOptions = {}) {
      drains.push(new ServerDrain(server, serverOptions.name ?? `server ${drains.length + 1}`));
    },
    addHook(name, hook, hookOptions = {}) {
      if (typeof name !== 'string' || name.length === 0)
        throw new TypeError('Expected `name` to be a non-empty string');
      if (hooks.some((existing) => existing.name === name))
        throw new TypeError(`A close hook named '${name}' is already registered`);
      if (typeof hook !== 'function') throw new TypeError(`Expected close hook '${name}' to be a function`);
      const timeoutMs = hookOptions.timeoutMs ?? resolved.hookTimeoutMs;
      if (!(Number.isFinite(timeoutMs) && timeoutMs >= 1 && timeoutMs <= 2_147_483_647)) {
        throw new RangeError(
          `Expected \`timeoutMs\` of close hook '${name}' to be a number in [1, 2147483647], got ${timeoutMs}`,
        );
      }
      hooks.push({ name, run: hook, timeoutMs });
    },
    track(work) {
      tracked.add(work);
      const forget = (): void => {
        tracked.delete(work);
      };
      work.then(forget, forget);
      return work;
    },
    listen() {
      const target = resolved.process();
      for (const signal of resolved.signals) target.on(signal, onSignal);
      return () => {
        for (const signal of resolved.signals) target.off(signal, onSignal);
      };
    },
    shutdown,
  };
  // Not a getter in the literal: V8 builds such a literal in dictionary mode, where each request's
  // `shutdown.track` is a hash lookup the optimizer cannot inline.
  Object.defineProperty(controller, 'state', { get: () => state, enumerable: true, configurable: true });
  return controller as Shutdown;
}
