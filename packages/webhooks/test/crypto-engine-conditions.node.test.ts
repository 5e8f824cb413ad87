import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

// `#node-crypto-engine` (package.json `imports`) resolved as runtimes and bundlers resolve it,
// from the built package (`pnpm build` runs before the tests). The bundles below take the
// target's sources, so they test this checkout's code under the manifest's conditions.
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const distToSources: Plugin = {
  name: 'dist-to-sources',
  setup(b) {
    b.onResolve({ filter: /^#node-crypto-engine$/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const target = /dist\/((?:no-)?node-crypto-engine)\.c?js$/.exec(resolved.path)?.[1];
      if (!target) throw new Error(`#node-crypto-engine resolved to ${resolved.path}`);
      return { path: join(packageDir, 'src/internal', `${target}.ts`) };
    });
  },
};

async function bundle(platform: 'browser' | 'neutral' | 'node', conditions?: string[]): Promise<string> {
  const result = await build({
    entryPoints: [join(packageDir, 'src/index.ts')],
    bundle: true,
    format: 'esm',
    platform,
    ...(conditions ? { conditions } : {}),
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // Not the workspace tsconfig, whose `paths` point `#node-crypto-engine` at the Node sources.
    tsconfigRaw: '{}',
    external: ['@bulwark/*'],
    plugins: [distToSources],
  });
  return (result.outputFiles[0] as { text: string }).text;
}

describe('#node-crypto-engine', () => {
  it('leaves the node:crypto engine out of browser bundles', async () => {
    const code = await bundle('browser');
    expect(code).toContain('src/internal/no-node-crypto-engine.ts');
    expect(code).not.toContain('createSecretKey');
    expect(code).not.toContain('getBuiltinModule');
  });

  it('leaves it out of workerd bundles (wrangler: workerd, worker, browser conditions)', async () => {
    const code = await bundle('neutral', ['workerd', 'worker', 'browser']);
    expect(code).not.toContain('createSecretKey');
    expect(code).not.toContain('getBuiltinModule');
  });

  it('keeps it in Node bundles', async () => {
    const code = await bundle('node');
    expect(code).toContain('src/internal/node-crypto-engine.ts');
    expect(code).toContain('createSecretKey');
  });

  it('loads it in Node, as ESM and as CommonJS', () => {
    const manifest = join(packageDir, 'package.json');
    const required = createRequire(manifest).resolve('#node-crypto-engine');
    expect(relative(packageDir, required)).toBe(join('dist', 'node-crypto-engine.cjs'));
    // Node's ESM resolver (vitest's module runner has no import.meta.resolve).
    const imported = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "process.stdout.write(import.meta.resolve('#node-crypto-engine'))"],
      { cwd: packageDir, encoding: 'utf8' },
    );
    expect(relative(packageDir, fileURLToPath(imported))).toBe(join('dist', 'node-crypto-engine.js'));
  });
});
