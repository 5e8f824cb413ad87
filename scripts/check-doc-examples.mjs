#!/usr/bin/env node
// Typechecks every ```ts block of the READMEs and docs against the packages' sources, so a
// 30-second example cannot drift from the API it shows. Names a snippet takes from its host
// (an `app`, a `request`) are declared in HTML comments right above the fence, invisible when
// rendered: <!-- ts-context: declare const app: import('hono').Hono; -->. A block fenced as
// ```ts no-check is skipped. Errors point at the Markdown line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDirName = '.doc-examples';

const exampleApps = ['reference-server', 'receiver-express'].map((name) => join(root, 'examples', name));

/**
 * Where a block is compiled: its own package when that resolves every third-party import,
 * else the first example app that does (their node_modules hold prom-client, express, …).
 */
function homeOf(doc, code) {
  const [top, name] = relative(root, doc).split('/');
  const own = top === 'packages' || top === 'examples' ? [join(root, top, name)] : [];
  const imports = [...code.matchAll(/(?:from |import\()'([^'.][^']*)'/g)]
    .map((m) => m[1])
    .filter((spec) => !spec.startsWith('node:') && !spec.startsWith('@bulwark/'))
    .map((spec) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/'),
    );
  const candidates = [...own, ...exampleApps];
  return (
    candidates.find((dir) => imports.every((spec) => existsSync(join(dir, 'node_modules', spec)))) ?? candidates[0]
  );
}

function markdownFiles() {
  const files = [];
  for (const top of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, top))) files.push(join(root, top, name, 'README.md'));
  }
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'api') walk(join(dir, entry.name));
      else if (entry.name.endsWith('.md')) files.push(join(dir, entry.name));
    }
  };
  walk(join(root, 'docs'));
  files.push(join(root, 'README.md'));
  return files.filter((file) => {
    try {
      readFileSync(file);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The ```ts blocks of a Markdown file: their code, the `ts-context` declarations above them
 * and the Markdown line (1-based) of the first code line.
 */
function blocks(markdown) {
  const found = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|typescript)(\s+no-check)?\s*$/.exec(lines[i]);
    if (!fence) continue;
    const context = [];
    for (let j = i - 1; j >= 0; j--) {
      const declared = /^<!-- ts-context: (.*) -->$/.exec(lines[j]);
      if (!declared) break;
      context.unshift(declared[1]);
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    if (!fence[2]) found.push({ line: start + 1, context, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return found;
}

const generated = new Map(); // snippet path -> { doc, line }
const homes = new Set();
for (const doc of markdownFiles()) {
  for (const [n, block] of blocks(readFileSync(doc, 'utf8')).entries()) {
    const dir = join(homeOf(doc, `${block.code}\n${block.context.join('\n')}`), outDirName);
    mkdirSync(dir, { recursive: true });
    homes.add(dir);
    const slug = relative(root, doc).replace(/[^a-zA-Z0-9]+/g, '-');
    const file = join(dir, `${slug}-${n + 1}.ts`);
    // `export {}` makes every block a module, as isolatedModules requires. Context goes last
    // (declarations hoist), so error lines in the code map straight onto the Markdown.
    writeFileSync(file, `${block.code}\n${block.context.join('\n')}\nexport {};\n`);
    generated.set(file, { doc, line: block.line });
  }
}

const config = join(root, outDirName, 'tsconfig.json');
mkdirSync(dirname(config), { recursive: true });
writeFileSync(
  config,
  JSON.stringify({
    extends: '../tsconfig.base.json',
    compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, declaration: false },
    files: [...generated.keys()],
  }),
);
const tsc = spawnSync('pnpm', ['exec', 'tsc', '-p', config, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
for (const dir of [...homes, dirname(config)]) rmSync(dir, { recursive: true, force: true });

const output = `${tsc.stdout}${tsc.stderr}`;
const errors = output
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const at = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(line);
    const source = at && generated.get(resolve(root, at[1]));
    if (!source) return line;
    return `${relative(root, source.doc)}:${source.line + Number(at[2]) - 1}:${at[3]} ${at[4]}`;
  });
if (tsc.status !== 0) {
  console.error(errors.join('\n'));
  console.error(`\n✖ documentation examples do not typecheck (${generated.size} blocks checked)`);
  process.exit(1);
}
console.log(`✔ ${generated.size} documentation examples typecheck`);
