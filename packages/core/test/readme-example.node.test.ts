import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The README's usage block, as a user copies it into a file. */
function usageExample(): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const block = /## Usage\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```ts block under ## Usage');
  return block;
}

describe('README usage example', () => {
  // It used to wait with `unref: true` under top-level await: nothing kept Node alive, so the
  // script exited with code 13 (unsettled top-level await) before printing anything.
  it('runs to completion as an ES module script', { timeout: 30_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-core-readme-'));
    try {
      const file = join(dir, 'example.mts');
      writeFileSync(file, usageExample().replace("from '@bulwark/core'", `from '${join(packageDir, 'src/index.ts')}'`));
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: packageDir, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^waited \d+ ms\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
