// Makes `npm start` / `npm test` (and the pnpm equivalents) work on a fresh clone:
// installs pnpm with npm when it is missing (corepack's download fails on some machines)
// and installs the workspace from the lockfile when node_modules is absent.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PNPM_VERSION = '10.34.9';
const root = resolve(import.meta.dirname, '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Ensures pnpm and the workspace's dependencies are installed. */
export function bootstrap() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`[bootstrap] installing pnpm ${PNPM_VERSION} with npm`);
    run('npm', ['install', '--global', `pnpm@${PNPM_VERSION}`, '--no-fund', '--no-audit']);
  }
  if (!existsSync(join(root, 'node_modules', '.modules.yaml'))) {
    console.log('[bootstrap] installing dependencies from the lockfile');
    run('pnpm', ['install', '--frozen-lockfile']);
  }
}
