import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@bulwark/testing/own-redis';
import { describe, expect, it } from 'vitest';

// `pnpm start` / `npm start` at the repository root, stopped by a signal sent to the package
// manager's own process (what `kill <pid>` or an orchestrator does). pnpm 10 and npm 11 run the
// script through `sh -c`, which does not pass signals on; the server must still shut down.
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Whether something can bind `port` on loopback (nothing else listens there). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether `pid` has exited. An exited process whose new parent has not reaped it yet is a zombie (state Z). */
function hasExited(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function launch(command: 'pnpm' | 'npm', port: number, dataDir: string) {
  // Own process group, so the finally block can clean up everything even when the test fails.
  const child: ChildProcess = spawn(command, ['start'], {
    cwd: repoRoot,
    detached: true,
    env: { ...process.env, REDIS_URL: '', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // 'close' comes once every process holding the output pipes (the server too) has exited.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, closed, output: () => output };
}

describe.each(['pnpm', 'npm'] as const)('`%s start` at the repository root', (command) => {
  // SIGTERM and SIGINT reach the server (the script `exec`s node); after a SIGKILL nothing is
  // forwarded, and the server notices that its parent is gone (scripts/exit-with-parent.mjs).
  it.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)(
    'stops the server when the package manager gets %s',
    {
      timeout: 60_000,
    },
    async (signal) => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-start-'));
      const run = launch(command, port, dataDir);
      try {
        await expect
          .poll(() => run.output(), { timeout: 45_000, interval: 100 })
          .toContain('bulwark reference server listening');
        const pid = Number(/"pid":(\d+)[^\n]*bulwark reference server listening/.exec(run.output())?.[1]);
        expect(pid).toBeGreaterThan(0);
        expect(pid).not.toBe(run.child.pid);
        expect(await portIsFree(port)).toBe(false);

        process.kill(run.child.pid as number, signal);

        await expect.poll(() => hasExited(pid), { timeout: 15_000, interval: 50 }).toBe(true);
        await run.closed;
        expect(run.output()).toContain('shutdown complete');
        expect(await portIsFree(port)).toBe(true);
      } finally {
        try {
          process.kill(-(run.child.pid as number), 'SIGKILL');
        } catch {
          // the whole group is gone already
        }
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
