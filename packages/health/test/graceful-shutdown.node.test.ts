import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Real processes and real signals: these tests use real time (a few hundred ms each).
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function start(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageDir, 'test/fixtures/probe-server.ts')], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve({ process: child, port: Number(match[1]), stdout: () => out, stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`exited early with ${code}: ${err}`)));
  });
}

function get(port: number, path: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown of a real node:http server', () => {
  it('answers 503 to readiness during the drain delay, finishes in-flight requests, runs every hook and exits 0', async () => {
    const child = await start({ DRAIN_DELAY_MS: '600', HOOK_MS: '150' });
    expect((await get(child.port, '/health/readiness')).status).toBe(200);
    const slow = get(child.port, '/slow?ms=900');
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const probe = await get(child.port, '/health/readiness');
    expect(probe.status).toBe(503);
    expect(probe.connection).toBe('close');
    expect(await slow).toMatchObject({ status: 200, body: 'done' });
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toMatch(/hook second registered\nhook first registered\n$/);
    expect(child.stderr()).toContain('"msg":"shutdown complete"');
  });

  it('exits with 124 and names the unfinished hook when the deadline passes', async () => {
    const child = await start({ DRAIN_DELAY_MS: '50', DEADLINE_MS: '400', HOOK_MS: '5000' });
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(124);
    expect(child.stderr()).toContain('shutdown deadline passed');
    expect(child.stderr()).toContain('"unfinishedHooks":["second registered","first registered"]');
    expect(child.stdout()).not.toContain('hook first registered');
  });

  it('exits with 130 on a second SIGINT during the drain', async () => {
    const child = await start({ DRAIN_DELAY_MS: '5000' });
    child.process.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(child.stderr()).toContain('second signal during shutdown');
  });
});
