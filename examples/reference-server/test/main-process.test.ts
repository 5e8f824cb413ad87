import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('reference server process', () => {
  it('starts on embedded defaults, prints the admin token, and shuts down cleanly on SIGTERM', {
    timeout: 30_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-main-'));
    try {
      const server = start({ PORT: '0', DATA_DIR: dataDir });
      await expect
        .poll(() => server.output(), { timeout: 20_000, interval: 50 })
        .toContain('bulwark reference server listening');
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(server.output())?.[1];
      expect(url).toBeDefined();
      expect(server.output()).toMatch(/Admin token \(this run only; set ADMIN_TOKEN to fix one\): adm_/);
      expect((await fetch(`${url}/health/readiness`)).status).toBe(200);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutdown started: readiness now fails');
      expect(server.output()).toContain('shutdown complete');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bad variable, naming it', { timeout: 30_000 }, async () => {
    const server = start({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT');
  });
});
