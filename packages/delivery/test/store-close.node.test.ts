import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'bulwark-delivery-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script in a fresh Node process with nothing else keeping its event loop alive. */
function runScript(args: readonly string[], db: string) {
  return spawnSync(process.execPath, [...args, join(dir, db)], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
}

describe('store.close() in a real process (the default SQLite store, background checkpointer)', () => {
  beforeAll(() => {
    // `pnpm test` builds first; build here too when the suite runs on its own.
    if (!existsSync(join(packageDir, 'dist/sqlite.cjs'))) {
      execFileSync('pnpm', ['exec', 'tsup'], { cwd: packageDir, stdio: 'ignore' });
    }
  }, 120_000);

  it('settles in an ES module: the code after a top-level `await store.close()` runs and the exit code is 0', () => {
    const result = runScript(['--import', 'tsx', 'test/fixtures/close-script.mts'], 'esm.db');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('closed 1\n');
    expect(result.status).toBe(0); // was 13: unsettled top-level await
  });

  it('settles in CommonJS (the dist build): the code after `await store.close()` runs', () => {
    const result = runScript(['test/fixtures/close-script.cjs'], 'cjs.db');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('closed 1\n'); // was empty: the process exited inside close()
    expect(result.status).toBe(0);
  });
});
