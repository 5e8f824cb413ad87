/** The loopback address every test Redis binds to. */
export const HOST: '127.0.0.1';

/** Resolves after `ms` of wall time (process plumbing only, never in a test's assertions). */
export function sleep(ms: number): Promise<void>;

/** A free loopback port, not in `taken` (which it is added to). */
export function freePort(taken?: Set<number>): Promise<number>;

/** Sends one command to 127.0.0.1:port; resolves its reply as text, or undefined without an answer. */
export function redisCommand(
  port: number,
  args: ReadonlyArray<string | number>,
  timeoutMs?: number,
): Promise<string | undefined>;

/** Records (`add`) or forgets a redis-server PID for the test command's leftover cleanup (BULWARK_TEST_PID_DIR). */
export function registerPid(pid: number, add: boolean): void;

/** SIGKILLs these redis-servers once this process ends, however it ends (a small watchdog process), then removes `dir`. */
export function guardPids(pids: readonly number[], dir?: string): void;

/** A redis-server process on a fixed port, started and restarted with the same arguments. */
export interface RedisProcess {
  readonly port: number;
  readonly pid: number;
  readonly exited: boolean;
  /** What the server printed (for error messages). */
  readonly output: string;
  /** Spawns the server; resolves once it answers PING. `guard: false` leaves guarding its pid to the caller. */
  start(options?: { guard?: boolean; timeoutMs?: number }): Promise<void>;
  /** SIGKILLs the server (a crash); resolves once it has exited. */
  kill(): Promise<void>;
  /** Synchronous (works from an `exit` handler): SIGKILLs the server if it runs. */
  stop(): void;
}

/** A redis-server on `port` with `args` (every argument but `--port` and `--bind`). */
export function redisProcess(port: number, args: readonly string[]): RedisProcess;

/** Starts a throwaway redis-server on a free loopback port (no persistence); resolves once it answers PING. */
export function startRedisServer(options?: {
  extraArgs?: readonly string[];
  dir?: string;
}): Promise<RedisProcess & { readonly url: string }>;
