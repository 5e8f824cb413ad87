#!/usr/bin/env node
// The API reference as users meet it (a step of `pnpm test`, after `pnpm run docs`):
// 1. Every Markdown heading typedoc renders (root README, package READMEs, project documents)
//    has words outside inline code: typedoc's "On This Page" drops inline code, so a heading made
//    only of it became a blank or punctuation-only entry.
// 2. Every module is named by its import path: a package with several entry points tags each
//    with `@module @bulwark/<pkg>` or `@module @bulwark/<pkg>/<subpath>` (else typedoc calls it "index").
// 3. The generated search index (docs/api/assets/search.js) finds error codes (docs/errors.md is
//    a project document) and has no module called "index".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
    const text = JSON.stringify(search);
    for (const code of ['circuit_open', 'store_unavailable', 'webhook_timestamp_too_old'])
      if (!text.includes(code))
        problems.push(`searching the API reference for ${code} finds nothing (docs/errors.md not in the site?)`);
    // kind 2 = module, 4 = namespace (a property may well be called index)
    const names = (search.rows ?? []).filter((row) => row.kind === 2 || row.kind === 4).map((row) => row.name);
    if (names.includes('index')) problems.push('the API reference has a module called "index"');
  }
}

if (problems.length > 0) {
  console.error(`✖ ${problems.join('\n✖ ')}`);
  process.exit(1);
}
console.log('✔ headings have words, modules are named by import path, error codes are searchable');
