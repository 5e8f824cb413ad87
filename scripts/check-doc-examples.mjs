#!/usr/bin/env node
// Typechecks the code examples of the docs against the packages' sources, so an example cannot
// drift from the API it shows. Errors point at the Markdown or source line.
//
// README and docs/ blocks (```ts) are whole programs a reader copies: checked strictly. Names a
// snippet takes from its host (an `app`, a `request`) are declared in HTML comments right above
// the fence, invisible when rendered: <!-- ts-context: declare const app: import('hono').Hono; -->.
//
// JSDoc `@example` blocks are fragments shown next to an export: the package's own exports are
// in scope, the fragment runs inside an async function (so `await` and `return` work), and any
// other free name (`request`, `error`, …) is typed `any`. Calls into the packages, their option
// names and argument types are still checked.
//
// A block fenced as ```ts no-check is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDirName = '.doc-examples';
const exampleApps = ['reference-server', 'receiver-express'].map((name) => join(root, 'examples', name));
/** Diagnostics of a free name: "Cannot find name", "No value exists in scope", test globals. */
const FREE_NAME_CODES = new Set(['2304', '2552', '18004', '2582', '2593']);

function walk(dir, accept, files = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'api' && entry.name !== 'node_modules') walk(path, accept, files);
    } else if (accept(entry.name)) files.push(path);
  }
  return files;
}

function markdownFiles() {
  const files = [join(root, 'README.md'), ...walk(join(root, 'docs'), (name) => name.endsWith('.md'))];
  for (const top of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, top))) files.push(join(root, top, name, 'README.md'));
  }
  return files.filter((file) => existsSync(file));
}

function packageDirs() {
  return readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'src')));
}

/**
 * The ```ts blocks of a Markdown text: their code, the `ts-context` declarations above them and
 * the line (1-based) of the first code line.
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

/** The `@example` blocks of a source file's JSDoc comments (comment lines with ` * ` removed). */
function jsdocBlocks(source) {
  const lines = source.split('\n').map((line) => /^\s*\* ?(.*)$/.exec(line)?.[1] ?? '');
  return blocks(lines.join('\n'));
}

/** Where a block compiles: the first of `own`, then the example apps, that resolves its imports. */
function homeOf(code, own) {
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

/** Every name the entry points of a package export: `name -> { specifier, type }`. */
function packageExports(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const names = new Map();
  for (const key of Object.keys(manifest.exports ?? {})) {
    const entry = join(packageDir, 'src', key === '.' ? 'index.ts' : `${key.slice(2)}.ts`);
    if (key === './package.json' || !existsSync(entry)) continue;
    const specifier = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    const source = readFileSync(entry, 'utf8');
    for (const list of source.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
      for (const item of list[2].split(',')) {
        const type = Boolean(list[1]) || /^\s*type\s/.test(item);
        const name = item
          .replace(/^\s*type\s+/, '')
          .split(/\s+as\s+/)
          .pop()
          ?.trim();
        if (name && !names.has(name)) names.set(name, { specifier, type });
      }
    }
    for (const m of source.matchAll(
      /export\s+(?:declare\s+)?(?:async\s+)?(function|const|class|interface|type)\s+(\w+)/g,
    )) {
      if (!names.has(m[2])) names.set(m[2], { specifier, type: m[1] === 'interface' || m[1] === 'type' });
    }
  }
  return names;
}

/** Imports for the package exports a fragment mentions but neither imports nor declares. */
function implicitImports(code, exported) {
  const bySpecifier = new Map();
  for (const [name, { specifier, type }] of exported) {
    if (!new RegExp(`\\b${name}\\b`).test(code)) continue;
    const own = `(import[^;]*\\b${name}\\b[^;]*from|(const|let|class|function|interface|type)\\s+${name}\\b)`;
    if (new RegExp(own).test(code)) continue;
    bySpecifier.set(specifier, [...(bySpecifier.get(specifier) ?? []), type ? `type ${name}` : name]);
  }
  return [...bySpecifier].map(([specifier, names]) => `import { ${names.join(', ')} } from '${specifier}';`);
}

/**
 * A fragment as a module whose lines match the block's: import lines move to the end (imports
 * hoist), the rest runs in an async function opened on the first line.
 */
function fragmentModule(code, trailer) {
  const lines = code.split('\n');
  const imports = lines.filter((line) => /^import\s/.test(line));
  const body = lines.map((line) =>
    /^import\s/.test(line) ? '' : line.replace(/^export\s+default\s+/, 'void ').replace(/^export\s+/, ''),
  );
  body[0] = `export async function example(): Promise<any> { ${body[0]}`;
  return `${body.join('\n')}\n}\n${[...imports, ...trailer].join('\n')}\n`;
}

const homes = new Set();
function write(home, origin, n, text) {
  const dir = join(home, outDirName);
  mkdirSync(dir, { recursive: true });
  homes.add(dir);
  const file = join(dir, `${relative(root, origin).replace(/[^a-zA-Z0-9]+/g, '-')}-${n + 1}.ts`);
  writeFileSync(file, text);
  return file;
}

/** Runs tsc over `files` with `tsconfig.<name>.json`; returns its diagnostics as `{ file, line, column, code, text }`. */
function typecheck(name, files, compilerOptions) {
  const config = join(root, outDirName, `tsconfig.${name}.json`);
  mkdirSync(dirname(config), { recursive: true });
  homes.add(dirname(config));
  const options = { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, declaration: false };
  writeFileSync(
    config,
    JSON.stringify({ extends: '../tsconfig.base.json', compilerOptions: { ...options, ...compilerOptions }, files }),
  );
  const tsc = spawnSync('pnpm', ['exec', 'tsc', '-p', config, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  const diagnostics = [];
  for (const line of `${tsc.stdout}${tsc.stderr}`.split('\n')) {
    const at = /^(.*?)\((\d+),(\d+)\): error TS(\d+): (.*)$/.exec(line);
    if (at) {
      diagnostics.push({ file: resolve(root, at[1]), line: Number(at[2]), column: at[3], code: at[4], text: at[5] });
    } else if (line.trim() !== '') {
      (diagnostics.at(-1) ?? { text: '' }).text += `\n${line}`;
    }
  }
  if (tsc.status !== 0 && diagnostics.length === 0) diagnostics.push({ text: `${tsc.stdout}${tsc.stderr}` });
  return diagnostics;
}

const origins = new Map(); // generated file -> { origin, line }

const strict = [];
for (const doc of markdownFiles()) {
  const [top, name] = relative(root, doc).split('/');
  const own = top === 'packages' || top === 'examples' ? [join(root, top, name)] : [];
  for (const [n, block] of blocks(readFileSync(doc, 'utf8')).entries()) {
    const home = homeOf(`${block.code}\n${block.context.join('\n')}`, own);
    // `export {}` makes every block a module; context goes last (declarations hoist).
    const file = write(home, doc, n, `${block.code}\n${block.context.join('\n')}\nexport {};\n`);
    origins.set(file, { origin: doc, line: block.line });
    strict.push(file);
  }
}

const fragments = new Map(); // generated file -> { code, trailer }
for (const packageDir of packageDirs()) {
  const exported = packageExports(packageDir);
  for (const source of walk(join(packageDir, 'src'), (name) => name.endsWith('.ts'))) {
    for (const [n, block] of jsdocBlocks(readFileSync(source, 'utf8')).entries()) {
      const trailer = [...block.context, ...implicitImports(`${block.code}\n${block.context.join('\n')}`, exported)];
      const home = homeOf(`${block.code}\n${trailer.join('\n')}`, [packageDir]);
      const file = write(home, source, n, fragmentModule(block.code, trailer));
      origins.set(file, { origin: source, line: block.line });
      fragments.set(file, { code: block.code, trailer });
    }
  }
}

const errors = typecheck('strict', strict, {});
// Fragments: a first pass finds their free names, which are then declared `any`.
const lenient = { noImplicitAny: false, noImplicitReturns: false };
const free = new Map();
for (const d of typecheck('fragments', [...fragments.keys()], lenient)) {
  const name = FREE_NAME_CODES.has(d.code) ? /'([\w$]+)'/.exec(d.text)?.[1] : undefined;
  if (name) free.set(d.file, new Set([...(free.get(d.file) ?? []), name]));
}
for (const [file, names] of free) {
  const { code, trailer } = fragments.get(file);
  const declared = [...names].map((name) => `declare const ${name}: any;`);
  writeFileSync(file, fragmentModule(code, [...trailer, ...declared]));
}
errors.push(...typecheck('fragments', [...fragments.keys()], lenient));

for (const dir of homes) rmSync(dir, { recursive: true, force: true });

if (errors.length > 0) {
  for (const d of errors) {
    const at = origins.get(d.file);
    console.error(
      at ? `${relative(root, at.origin)}:${at.line + d.line - 1}:${d.column} TS${d.code}: ${d.text}` : d.text,
    );
  }
  console.error(`\n✖ documentation examples do not typecheck (${origins.size} blocks checked)`);
  process.exit(1);
}
console.log(`✔ ${strict.length} README/docs examples and ${fragments.size} JSDoc examples typecheck`);
