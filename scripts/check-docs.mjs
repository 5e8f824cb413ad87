#!/usr/bin/env node
// Docs a user can trust (a step of `pnpm test`):
// 1. The root README's package table has exactly one row per workspace package, linked to its
//    README, with the status its manifest implies (`private` when private, else `ready`).
// 2. docs/README.md links every file under docs/ (except the generated api/).
// 3. No tracked file points outside the repository: the team workspace (`../shared/`), the
//    machine's temp directory (`/tmp/...`) or the build machine (`/work/`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './public-packages.mjs';

const problems = [];

// 1. README package table
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const rows = new Map();
for (const line of readme.split('\n')) {
  const cells = /^\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|$/.exec(line);
  if (!cells) continue;
  const name = /`(@bulwark\/[a-z0-9-]+)`/.exec(cells[1])?.[1];
  if (name) rows.set(name, { label: cells[1], status: cells[2], what: cells[3] });
}
const manifests = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }));
for (const { dir, manifest } of manifests) {
  const row = rows.get(manifest.name);
  const status = manifest.private ? 'private' : 'ready';
  const link = `[\`${manifest.name}\`](packages/${dir}/README.md)`;
  if (!row) {
    problems.push(
      `README.md: the package table has no row for ${manifest.name}; add \`| ${manifest.private ? `\`${manifest.name}\`` : link} | ${status} | <what it does> |\``,
    );
    continue;
  }
  rows.delete(manifest.name);
  if (row.status !== status)
    problems.push(`README.md: ${manifest.name} is "${row.status}" in the table, its manifest says "${status}"`);
  if (!manifest.private && row.label !== link)
    problems.push(`README.md: the ${manifest.name} row must link its README: ${link}`);
  if (row.what.trim() === '') problems.push(`README.md: the ${manifest.name} row says nothing about what it does`);
}
for (const name of rows.keys()) problems.push(`README.md: the package table lists ${name}, which is not in packages/`);

// 2. docs/README.md lists every doc
const docsIndex = readFileSync(join(root, 'docs/README.md'), 'utf8');
const linked = new Set([...docsIndex.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1]));
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
for (const file of walk(join(root, 'docs'))) {
  const path = relative(join(root, 'docs'), file);
  if (path === 'README.md' || path.startsWith('api/')) continue;
  if (!linked.has(path)) problems.push(`docs/README.md does not link ${path}`);
}

// 3. Nothing points outside the repository
const outside = spawnSync(
  'git',
  [
    'grep',
    '-n',
    '-I',
    '-E',
    String.raw`\.\./shared/|/tmp/[A-Za-z0-9._-]+\.lock|/work/`,
    '--',
    '.',
    ':!pnpm-lock.yaml',
    ':!scripts/check-docs.mjs',
  ],
  {
    cwd: root,
    encoding: 'utf8',
  },
);
for (const line of outside.stdout.split('\n').filter(Boolean)) problems.push(`points outside the repository: ${line}`);

if (problems.length > 0) {
  console.error(`✖ ${problems.join('\n✖ ')}`);
  process.exit(1);
}
console.log(
  `✔ README package table matches ${manifests.length} manifests; docs/README.md lists every doc; nothing points outside the repository`,
);
