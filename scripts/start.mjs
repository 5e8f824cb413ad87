#!/usr/bin/env node
// `pnpm start`: runs the reference server when it exists; until then, says so and lists the packages.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bootstrap } from './bootstrap.mjs';

bootstrap();

const root = resolve(import.meta.dirname, '..');
const server = join(root, 'examples/reference-server/package.json');
if (existsSync(server)) {
  const result = spawnSync('pnpm', ['--filter', './examples/reference-server', 'start'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
console.log('The reference server (examples/reference-server) is not built yet. Packages in this workspace:\n');
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const file = join(root, 'packages', name, 'package.json');
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  if (manifest.private) continue;
  console.log(`  ${manifest.name.padEnd(20)} ${manifest.description}`);
}
