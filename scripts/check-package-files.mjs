#!/usr/bin/env node
// What each public package's tarball holds (`npm pack --dry-run --json`, after `pnpm build`):
// - LICENSE, README.md and package.json;
// - every relative link in a shipped Markdown file resolves to a shipped file (a README that
//   links outside the package is broken on npm);
// - every shipped JavaScript file (and its source map) is reachable from the manifest's entry
//   points (exports, imports, main, module, bin) through relative imports: nothing unused ships.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { publicPackages } from './public-packages.mjs';

const REQUIRED = ['LICENSE', 'README.md', 'package.json'];
const JS = /\.(c|m)?js$/;

function packedFiles(dir) {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm pack --dry-run failed in ${dir}:\n${result.stderr}`);
  return new Set(JSON.parse(result.stdout)[0].files.map((file) => file.path));
}

/** Every string leaf of an exports/bin value. */
function leaves(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

function entryPoints(manifest) {
  return [
    manifest.main,
    manifest.module,
    ...leaves(manifest.exports),
    ...leaves(manifest.imports),
    ...leaves(manifest.bin),
  ]
    .filter((path) => typeof path === 'string' && JS.test(path))
    .map((path) => normalize(path));
}

/** Relative specifiers a bundled file loads: `from './x.js'`, `import('./x.js')`, `require('./x.cjs')`. */
function relativeImports(source) {
  const found = [];
  for (const match of source.matchAll(
    /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)(["'])(\.{1,2}\/[^"']+)\1/g,
  )) {
    found.push(match[2]);
  }
  return found;
}

function reachable(dir, files, manifest) {
  const seen = new Set();
  const queue = entryPoints(manifest);
  while (queue.length > 0) {
    const file = /** @type {string} */ (queue.pop());
    if (seen.has(file) || !files.has(file)) continue;
    seen.add(file);
    for (const specifier of relativeImports(readFileSync(join(dir, file), 'utf8'))) {
      queue.push(normalize(join(dirname(file), specifier)));
    }
  }
  return seen;
}

/** Relative link targets in Markdown: `[text](target)` that is not a URL or an in-page anchor. */
function relativeLinks(markdown) {
  const links = [];
  for (const match of markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.split('#')[0]);
  }
  return links;
}

const problems = [];
for (const { dir, folder, manifest } of publicPackages()) {
  const before = problems.length;
  const files = packedFiles(dir);
  for (const file of REQUIRED) if (!files.has(file)) problems.push(`${manifest.name}: the tarball has no ${file}`);
  for (const file of [...files].filter((path) => path.endsWith('.md'))) {
    for (const link of relativeLinks(readFileSync(join(dir, file), 'utf8'))) {
      const target = normalize(join(dirname(file), link));
      if (!files.has(target) && ![...files].some((path) => path.startsWith(`${target.replace(/\/$/, '')}/`)))
        problems.push(`${manifest.name}: ${file} links to ${link}, which is not in the tarball`);
    }
  }
  const used = reachable(dir, files, manifest);
  if (used.size === 0) problems.push(`${manifest.name}: no entry point is in the tarball (run \`pnpm build\` first)`);
  for (const file of files) {
    const js = file.endsWith('.map') ? file.slice(0, -'.map'.length) : file;
    if (JS.test(js) && !used.has(js))
      problems.push(
        `${manifest.name}: ships ${file}, which no entry point (exports, imports, main, module, bin) loads`,
      );
  }
  console.log(
    `${problems.length === before ? '✔' : '✖'} ${manifest.name.padEnd(20)} ${files.size} files (packages/${folder})`,
  );
}

if (problems.length > 0) {
  console.error(`\n✖ ${problems.join('\n✖ ')}`);
  process.exit(1);
}
console.log('every tarball has LICENSE, README.md and package.json, resolvable links and no unused JavaScript');
