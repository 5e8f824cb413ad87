#!/usr/bin/env node
// The consumer contract, checked from outside the workspace as a user meets it:
//   1. `pnpm pack` every public package (workspace:* ranges become versions) and print the
//      tarball table (packed size, unpacked size, files);
//   2. install the tarballs with plain npm into fresh projects in the system temp directory:
//      "fresh" (a new project on zod 4 and ioredis 5, plus the minimum TypeScript the packages
//      declare) and "host" (a service already on ioredis 6 and zod 3: no ERESOLVE allowed);
//   3. run every package README's runnable example as ESM and as CommonJS (examples that use
//      Redis, REDIS_URL, also run in the host, on ioredis 6);
//   4. typecheck the examples strict, `skipLibCheck: false`, under moduleResolution node16 and
//      bundler, on the minimum TypeScript version (the packages' optional `typescript` peer);
//   5. check zod copies (`npm query`) and the zod-3 host recipe from the delivery README;
//   6. bundle each entry point (every exports subpath), minified, and print the size table:
//      browser entries fail above 60 kB, Node-only entries (listed with a reason) above 150 kB.
// npm's own cache (~/.npm) makes repeated runs fast; `--keep` leaves the temp projects behind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { entryPoints, measureBundles, NODE_ONLY, OVER_GOAL } from './consumer/bundle-sizes.mjs';
import { readmeBlock, readmeExample, toCjs, toEsm } from './consumer/examples.mjs';
import { packAll, publicPackages } from './consumer/pack.mjs';
import { installProject, npmQuery, zodInteropScript } from './consumer/projects.mjs';
import { kB, mapConcurrent, run, table } from './consumer/run.mjs';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'bulwark-consumer-'));
const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error(`✖ ${message}`);
};
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

try {
  // 1. Tarballs.
  let phase = Date.now();
  const packed = await packAll(publicPackages(root), join(work, 'tarballs'));
  console.log(`\nTarballs (pnpm pack, ${seconds(phase)})\n`);
  console.log(
    table(
      [
        { title: 'package' },
        { title: 'version' },
        { title: 'packed', align: 'right' },
        { title: 'unpacked', align: 'right' },
        { title: 'files', align: 'right' },
      ],
      packed.map((p) => [p.name, p.version, kB(p.packed), kB(p.unpacked), String(p.files)]),
    ),
  );

  // The minimum TypeScript: every package declares it as an optional peer `>=x.y`.
  const floors = packed.map((p) => {
    const range = p.manifest.peerDependencies?.typescript;
    const floor = /^>=(\d+\.\d+)$/.exec(range ?? '')?.[1];
    if (!floor || !p.manifest.peerDependenciesMeta?.typescript?.optional) {
      fail(`${p.name}: declare the minimum TypeScript as an optional peer "typescript": ">=x.y" (found ${range})`);
    }
    return floor ?? '0.0';
  });
  const typescriptFloor = floors.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);

  // 2. Consumer projects.
  phase = Date.now();
  const tarballs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  const fresh = join(work, 'fresh');
  const host = join(work, 'host');
  const installs = await Promise.all([
    installProject(fresh, {
      type: 'module',
      dependencies: { ...tarballs, ioredis: '^5.11.1', zod: '^4.6.7' },
      // @types/better-sqlite3: the types a user of the idempotency sqlite subpath installs.
      devDependencies: {
        typescript: `~${typescriptFloor}.0`,
        '@types/node': '~20.19.0',
        '@types/better-sqlite3': '^9.6.0',
      },
    }),
    installProject(host, { dependencies: { ioredis: '^6.0.0', zod: '^3.25.0', ...tarballs } }),
  ]);
  for (const [name, result] of [
    ['fresh', installs[0]],
    ['host (ioredis 6, zod 3)', installs[1]],
  ]) {
    if (result.code !== 0) fail(`npm install into the ${name} project failed:\n${result.stderr.slice(-4000)}`);
  }
  console.log(`\nnpm install: fresh project and host project (${seconds(phase)})`);
  if (failures.length > 0) throw new Error('install failed');

  // 3. README examples, ESM and CommonJS.
  phase = Date.now();
  if (!process.env.REDIS_URL)
    fail('REDIS_URL is not set: the examples that use Redis need it (pnpm test starts Redis)');
  const examples = [];
  for (const p of packed) {
    const source = readmeExample(p.dir);
    const id = basename(p.dir);
    if (!source) {
      fail(`${p.name}: README.md has no runnable \`\`\`ts example`);
      continue;
    }
    mkdirSync(join(fresh, 'examples'), { recursive: true });
    mkdirSync(join(host, 'examples'), { recursive: true });
    writeFileSync(join(fresh, 'examples', `${id}.ts`), source);
    const esm = await toEsm(source);
    const cjs = await toCjs(source);
    for (const dir of [fresh, host]) {
      writeFileSync(join(dir, 'examples', `${id}.mjs`), esm);
      writeFileSync(join(dir, 'examples', `${id}.cjs`), cjs);
    }
    examples.push({ name: p.name, id, usesRedis: /REDIS_URL/.test(source) });
  }
  const runs = examples.flatMap((e) => [
    { ...e, project: 'fresh', dir: fresh, file: `${e.id}.mjs` },
    { ...e, project: 'fresh', dir: fresh, file: `${e.id}.cjs` },
    ...(e.usesRedis
      ? [
          { ...e, project: 'host', dir: host, file: `${e.id}.mjs` },
          { ...e, project: 'host', dir: host, file: `${e.id}.cjs` },
        ]
      : []),
  ]);
  const results = await mapConcurrent(runs, 2, (r) =>
    run(process.execPath, [join('examples', r.file)], { cwd: r.dir, timeoutMs: 30_000 }),
  );
  runs.forEach((r, i) => {
    const result = results[i];
    if (result.code !== 0) {
      fail(`${r.name} README example (${r.file}, ${r.project}) exited ${result.code}:\n${result.stderr.slice(-2000)}`);
    }
  });
  console.log(`\nREADME examples from the tarballs (${seconds(phase)})\n`);
  console.log(
    table(
      [{ title: 'package' }, { title: 'project' }, { title: 'ESM', align: 'right' }, { title: 'CJS', align: 'right' }],
      examples.flatMap((e) =>
        ['fresh', 'host']
          .map((project) => {
            const cell = (file) => {
              const i = runs.findIndex((r) => r.project === project && r.file === file);
              if (i < 0) return undefined;
              return `${results[i].code === 0 ? 'ok' : 'FAIL'} ${results[i].ms} ms`;
            };
            const esm = cell(`${e.id}.mjs`);
            return esm === undefined ? undefined : [e.name, project, esm, cell(`${e.id}.cjs`)];
          })
          .filter(Boolean),
      ),
    ),
  );

  // 4. Strict typecheck on the minimum TypeScript, node16 and bundler resolution.
  phase = Date.now();
  const cjsImports = packed
    .flatMap((p) => entryPoints([p]))
    .map(({ specifier }, i) => `import * as entry${i} from '${specifier}';\nvoid entry${i};`)
    .join('\n');
  writeFileSync(join(fresh, 'examples', 'require-entry-points.cts'), `${cjsImports}\n`);
  const compilerOptions = {
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    target: 'ES2022',
    types: ['node'],
  };
  const configs = {
    node16: { module: 'node16', moduleResolution: 'node16', include: ['examples/*.ts', 'examples/*.cts'] },
    bundler: { module: 'esnext', moduleResolution: 'bundler', include: ['examples/*.ts'] },
  };
  const checks = await Promise.all(
    Object.entries(configs).map(([name, { include, ...options }]) => {
      writeFileSync(
        join(fresh, `tsconfig.${name}.json`),
        JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, include }, null, 2),
      );
      return run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${name}.json`], {
        cwd: fresh,
      });
    }),
  );
  const tscVersion = (
    await run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-v'], { cwd: fresh })
  ).stdout.trim();
  Object.keys(configs).forEach((name, i) => {
    if (checks[i].code !== 0) fail(`tsc (${tscVersion}, ${name}) failed:\n${checks[i].stdout.slice(-4000)}`);
  });
  console.log(
    `\nTypecheck (${tscVersion}, strict, skipLibCheck false): node16 ${checks[0].code === 0 ? 'ok' : 'FAIL'}, bundler ${checks[1].code === 0 ? 'ok' : 'FAIL'} (${seconds(phase)})`,
  );

  // 5. Dependency copies and the zod-3 host recipe.
  phase = Date.now();
  for (const [project, dir, expect] of [
    ['fresh', fresh, { zod: 1, ioredis: 1 }],
    // One zod: our peer range (^3.25.0 || ^4.0.0) takes the host's zod 3.25 copy, whose
    // `zod/v4` is what our schemas import.
    ['host', host, { zod: 1, ioredis: 1 }],
  ]) {
    const ls = await run('npm', ['ls', 'zod', 'ioredis', '--all', '--json'], { cwd: dir });
    if (ls.code !== 0) fail(`npm ls in the ${project} project reports problems:\n${ls.stdout.slice(-2000)}`);
    for (const name of ['zod', 'ioredis']) {
      const copies = await npmQuery(dir, `#${name}`);
      const where = copies.map((c) => `${c.version} at ${c.location}`).join(', ');
      console.log(`${project}: ${copies.length} ${name} cop${copies.length === 1 ? 'y' : 'ies'} (${where})`);
      if (expect[name] !== undefined && copies.length !== expect[name]) {
        fail(`${project}: expected ${expect[name]} ${name} copy, found ${copies.length} (${where})`);
      }
    }
  }
  const hostZod = await npmQuery(host, '#zod');
  const rootZod = hostZod.find((c) => c.location === 'node_modules/zod');
  if (!rootZod?.version.startsWith('3.')) fail(`host: the host's own zod 3 was replaced (${rootZod?.version})`);
  const recipe = readmeBlock(join(root, 'packages', 'delivery'), '<!-- consumer-zod3-recipe -->');
  if (!recipe) fail('packages/delivery/README.md lost its <!-- consumer-zod3-recipe --> block');
  writeFileSync(join(host, 'zod3-recipe.mjs'), await toEsm(recipe ?? ''));
  writeFileSync(join(host, 'zod3-interop.mjs'), zodInteropScript);
  const interop = await run(process.execPath, ['zod3-interop.mjs'], { cwd: host, timeoutMs: 30_000 });
  if (interop.code !== 0) fail(`host: zod 3 interop failed:\n${interop.stderr.slice(-2000)}`);
  else console.log(`host: ${interop.stdout.trim()}`);
  console.log(`(dependency checks ${seconds(phase)})`);

  // 6. Bundle sizes.
  phase = Date.now();
  const thirdParty = [
    ...new Set(
      packed.flatMap((p) =>
        Object.keys({ ...p.manifest.dependencies, ...p.manifest.peerDependencies }).filter(
          (name) => !name.startsWith('@bulwark/') && name !== 'typescript',
        ),
      ),
    ),
  ];
  const bundles = await measureBundles(entryPoints(packed), fresh, thirdParty);
  console.log(`\nBundle size per entry point (esbuild, minified ESM; ${seconds(phase)})\n`);
  console.log(
    table(
      [
        { title: 'entry point' },
        { title: 'platform' },
        { title: 'minified', align: 'right' },
        { title: 'limit', align: 'right' },
        { title: 'largest input' },
      ],
      bundles.map((b) => [b.specifier, b.platform, b.error ? 'FAIL' : kB(b.bytes), kB(b.limit), b.biggest]),
    ),
  );
  console.log(`\nnode: bundled for Node.js, ${thirdParty.join(', ')} external:`);
  for (const [specifier, reason] of Object.entries(NODE_ONLY)) console.log(`  ${specifier}: ${reason}`);
  if (Object.keys(OVER_GOAL).length > 0) console.log('over the 60 kB browser goal, held to their own ceiling:');
  for (const [specifier, { reason }] of Object.entries(OVER_GOAL)) console.log(`  ${specifier}: ${reason}`);
  for (const b of bundles) {
    if (b.error) fail(`${b.specifier} does not bundle for ${b.platform}: ${b.error}`);
    else if (b.bytes > b.limit) fail(`${b.specifier}: ${kB(b.bytes)} minified (${b.platform}) exceeds ${kB(b.limit)}`);
  }
} catch (error) {
  if (!(error instanceof Error && error.message === 'install failed')) {
    fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
} finally {
  if (keep) console.log(`\nkept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(
  `\nconsumer check ${failures.length === 0 ? 'passed' : `FAILED (${failures.length})`} in ${seconds(started)}`,
);
process.exit(failures.length === 0 ? 0 : 1);
