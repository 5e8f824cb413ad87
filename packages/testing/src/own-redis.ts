// A private redis-server per test file, for tests that stall, stop, kill or count the commands of
// Redis (CLIENT PAUSE, DEBUG SLEEP and CONFIG RESETSTAT would disturb other suites sharing REDIS_URL).
// Node-only: imported as `@bulwark/testing/own-redis`, never from the edge-safe index.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { guardPids, registerPid } from './redis-cluster.mjs';

/** A free loopback TCP port (nothing listens on it once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

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
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'yes',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    if (proc.pid !== undefined) {
      const pid = proc.pid;
      registerPid(pid, true);
      guardPids([pid]);
      proc.once('exit', () => registerPid(pid, false));
    }
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, start };
}
