import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(packageDir, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'bulwark-slo-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const runBin = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', ...(input === undefined ? {} : { input }) });

describe('bulwark-slo (spawned bin)', () => {
  beforeAll(() => {
    // `pnpm test` builds first; build here too when the suite runs on its own.
    if (!existsSync(cli)) execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
  }, 120_000);

  it('recommends a threshold from one number a line', () => {
    const path = file('lines.txt', `${Array.from({ length: 1000 }, (_, i) => i + 1).join('\n')}\n`);
    const result = runBin(['recommend', path]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('The p97.5 of the last 1,000 requests');
    expect(result.stdout).toContain('threshold_ms: 980');
    expect(result.stdout).toContain('breach ratio above 980 ms: 2.00% (20 of 1000)');
  });

  it('reads a CSV duration_ms column from stdin', () => {
    const csv = `route,duration_ms\n${Array.from({ length: 100 }, (_, i) => `/a,${i + 1}`).join('\n')}\n`;
    const result = runBin(['recommend', '-', '--json'], csv);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)[0].recommendation).toMatchObject({ quantileMs: 98, thresholdMs: 98 });
  });

  it('reports bad lines with their line numbers and exits non-zero', () => {
    const path = file('bad.txt', '10\n20\nfast\n40\nNaN\n');
    const result = runBin(['recommend', path]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path}:3: not a finite duration ≥ 0: "fast"`);
    expect(result.stderr).toContain(`${path}:5: not a finite duration ≥ 0: "NaN"`);
    expect(result.stdout).toBe('');
  });

  it('exits 2 with usage on a bad command line', () => {
    const result = runBin(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: bulwark-slo');
  });
});
