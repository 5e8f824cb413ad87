// A private redis-server per test file, for tests that stall, stop, kill or count the commands of
// Redis (CLIENT PAUSE, DEBUG SLEEP and CONFIG RESETSTAT would disturb other suites sharing REDIS_URL).
// Node-only: imported as `@bulwark/testing/own-redis`, never from the edge-safe index.
import { startRedisServer } from './redis-server.mjs';

export { freePort } from './redis-server.mjs';

/** A private redis-server child on a loopback port, for tests that kill or restart Redis. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the server (like a crash). */
  kill(): Promise<void>;
  /** Starts a new server on the same port. */
  start(): Promise<void>;
}

/** Starts a private redis-server (DEBUG enabled) on a free loopback port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const server = await startRedisServer({ extraArgs: ['--enable-debug-command', 'yes'] });
  return { port: server.port, url: server.url, kill: () => server.kill(), start: () => server.start() };
}
