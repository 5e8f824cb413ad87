// A throwaway redis-server for one test run: a free loopback port, no persistence, its own
// temporary directory. Stopped by PID (never by name: other Redis servers may be running).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when `PING` on 127.0.0.1:port answers `+PONG`. */
function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => {});
  });
}

/**
 * Starts redis-server on a free loopback port and waits until it answers PING.
 * @returns {Promise<{ url: string, pid: number, stop(): void }>} `stop` is synchronous, so it
 *   also works from an `exit` handler
 */
export async function startLocalRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-redis-'));
  let output = '';
  const child = spawn(
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
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited) {
      try {
        process.kill(/** @type {number} */ (child.pid), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Don't let the pipes keep this process alive or block its exit.
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();
  for (let attempt = 0; attempt < 100; attempt++) {
    if (exited) break;
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, pid: /** @type {number} */ (child.pid), stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`redis-server did not answer PING on 127.0.0.1:${port}:\n${output}`);
}
