#!/usr/bin/env node
// The API reference as users meet it (a step of `pnpm test`, after `pnpm run docs`):
// 1. Every Markdown heading typedoc renders (root README, package READMEs, project documents)
//    has words outside inline code: typedoc's "On This Page" drops inline code, so a heading made
//    only of it became a blank or punctuation-only entry.
// 2. Every module is named by its import path: a package with several entry points tags each
//    with `@module @bulwark/<pkg>` or `@module @bulwark/<pkg>/<subpath>` (else typedoc calls it "index").
//    Every subpath of a package's exports map is an entry point of its typedoc.json.
// 3. The generated search index (docs/api/assets/search.js) finds every error code of
//    docs/errors.md (a project document), queried with lunr as the site's search box does, and
//    has no module called "index".
// 4. Every export of every module is in a concept group (`@group`, written by the typedoc plugin
//    scripts/typedoc-groups.mjs into docs/api/groups.json), never only in a kind group.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { inflateSync } from 'node:zlib';
import { root } from './public-packages.mjs';

const problems = [];
const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8'));
const packageDirs = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'typedoc.json')));

// 1. headings with words
const rendered = [
  join(root, typedoc.readme ?? 'README.md'),
  ...(typedoc.projectDocuments ?? []).map((file) => join(root, file)),
  ...packageDirs.map((dir) => join(dir, 'README.md')).filter(existsSync),
];
for (const file of rendered) {
  let fenced = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.startsWith('```')) fenced = !fenced;
      const heading = fenced ? undefined : /^#{1,6}\s+(.*)$/.exec(line)?.[1];
      if (heading !== undefined && !/[\p{L}\p{N}]/u.test(heading.replace(/`[^`]*`/g, '')))
        problems.push(
          `${relative(root, file)}:${index + 1}: heading "${heading}" has no words outside inline code (blank in typedoc's On This Page)`,
        );
    });
}

// 2. module names
for (const dir of packageDirs) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = JSON.parse(readFileSync(join(dir, 'typedoc.json'), 'utf8')).entryPoints ?? [];
  if (entries.length < 2) continue;
  for (const entry of entries) {
    const sub = basename(entry, '.ts');
    const expected = sub === 'index' ? name : `${name}/${sub}`;
    const source = readFileSync(join(dir, entry), 'utf8');
    if (!new RegExp(`@module ${expected.replace(/[/]/g, '\\/')}\\s*$`, 'm').test(source))
      problems.push(`${relative(root, join(dir, entry))}: its module comment needs \`@module ${expected}\``);
  }
}

// 2b. every exported subpath is documented
for (const dir of packageDirs) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = JSON.parse(readFileSync(join(dir, 'typedoc.json'), 'utf8')).entryPoints ?? [];
  for (const key of Object.keys(manifest.exports ?? {})) {
    if (key.endsWith('package.json')) continue;
    const file = key === '.' ? 'src/index.ts' : `src/${key.slice(2)}.ts`;
    if (!entries.includes(file))
      problems.push(
        `${relative(root, join(dir, 'typedoc.json'))}: ${manifest.name} exports "${key}" but ${file} is not an entry point`,
      );
  }
}

// 3. the generated search index
const searchFile = join(root, typedoc.out ?? 'docs/api', 'assets/search.js');
if (!existsSync(searchFile)) {
  problems.push(`${relative(root, searchFile)} is missing: run \`pnpm run docs\` first`);
} else {
  // `window.searchData = "<base64 of deflated JSON>"` (older typedoc: a data: URL).
  const encoded = /searchData\s*=\s*"(?:data:[^,]*,)?([A-Za-z0-9+/=]+)"/.exec(readFileSync(searchFile, 'utf8'))?.[1];
  const search = encoded ? JSON.parse(inflateSync(Buffer.from(encoded, 'base64')).toString('utf8')) : undefined;
  if (!search) problems.push(`${relative(root, searchFile)}: no search data found`);
  else {
    // Query the index with lunr (typedoc's search engine), as the search box does.
    const lunr = createRequire(createRequire(import.meta.url).resolve('typedoc'))('lunr');
    const index = lunr.Index.load(search.index);
    const codes = [...readFileSync(join(root, 'docs/errors.md'), 'utf8').matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map(
      (m) => m[1],
    );
    if (codes.length < 10)
      problems.push(`docs/errors.md lists only ${codes.length} codes: did its table format change?`);
    for (const code of codes) {
      const hits = index.search(code).map((hit) => search.rows[Number(hit.ref)]);
      if (!hits.some((row) => row?.url?.includes('errors')))
        problems.push(`searching the API reference for ${code} does not find docs/errors.md`);
    }
    // kind 2 = module, 4 = namespace (a property may well be called index)
    const names = (search.rows ?? []).filter((row) => row.kind === 2 || row.kind === 4).map((row) => row.name);
    if (names.includes('index')) problems.push('the API reference has a module called "index"');
  }
}

// 4. concept groups
const groupsFile = join(root, typedoc.out ?? 'docs/api', 'groups.json');
if (!existsSync(groupsFile))
  problems.push(`${relative(root, groupsFile)} is missing: the typedoc-groups plugin did not run`);
else {
  const { KIND_GROUPS } = await import('./typedoc-groups.mjs');
  const placed = JSON.parse(readFileSync(groupsFile, 'utf8'));
  for (const dir of packageDirs) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!Object.keys(placed).some((module) => module === name || module.startsWith(`${name}/`)))
      problems.push(`${name}: no module of it in ${relative(root, groupsFile)}`);
  }
  for (const [module, exports] of Object.entries(placed)) {
    if (module === '') problems.push(`${relative(root, groupsFile)}: exports of an unnamed module`);
    for (const [name, group] of Object.entries(exports)) {
      if (!group || KIND_GROUPS.has(group)) problems.push(`${module}.${name} has no concept group (${group})`);
    }
  }
}

if (problems.length > 0) {
  console.error(`✖ ${problems.join('\n✖ ')}`);
  process.exit(1);
}
console.log(
  '✔ headings have words, modules are named by import path, every export is documented in a concept group, every error code is searchable',
);
