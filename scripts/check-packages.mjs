#!/usr/bin/env node
// Runs publint --strict and @arethetypeswrong/cli on every published package.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter(
    (dir) =>
      existsSync(join(dir, 'package.json')) && !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private,
  );

let failed = 0;
for (const dir of packages) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [tool, args] of [
    ['publint', ['exec', 'publint', '--strict', '.']],
    ['attw', ['exec', 'attw', '--pack', '.', '--format', 'table-flipped', '--quiet']],
  ]) {
    const result = spawnSync('pnpm', args, { cwd: dir, encoding: 'utf8' });
    if (result.status === 0) {
      console.log(`✔ ${tool.padEnd(8)} ${name}`);
    } else {
      failed++;
      console.error(`✖ ${tool.padEnd(8)} ${name}\n${result.stdout}${result.stderr}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
