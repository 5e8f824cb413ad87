// Real workerd for tests: bundles a Worker entry as `wrangler deploy` does (workspace packages from
// their TypeScript sources, no build needed) and boots miniflare. Node-only: imported as
// `@bulwark/testing/workerd`, never from the edge-safe index.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `@bulwark/<pkg>` and `@bulwark/<pkg>/<sub>` from `packages/<pkg>/src/<sub | index>.ts`. */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@bulwark\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
      const [pkg, sub] = args.path.slice('@bulwark/'.length).split('/');
      return { path: join(packages, pkg as string, 'src', `${sub ?? 'index'}.ts`) };
    });
    // @bulwark/webhooks' `imports` entry, as the workerd/worker/browser conditions resolve it.
    b.onResolve({ filter: /^#node-crypto-engine$/ }, () => ({
      path: join(packages, 'webhooks/src/internal/no-node-crypto-engine.ts'),
    }));
  },
};

/** A bundled Worker and its sizes. */
export interface WorkerBundle {
  readonly code: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * Bundles a Worker entry as `wrangler deploy` does: esbuild, one ES module, es2022, the `workerd`,
 * `worker` and `browser` export conditions; not minified unless `minify`.
 *
 * @example
 * ```ts
 * const { code, gzipBytes } = await bundleWorker(join(here, 'support/worker.ts'));
 * ```
 */
export async function bundleWorker(entry: string, options: { minify?: boolean } = {}): Promise<WorkerBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    minify: options.minify ?? false,
    write: false,
    logLevel: 'silent',
    plugins: [workspaceSources],
  });
  const code = (result.outputFiles[0] as { text: string }).text;
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).byteLength };
}

/** The compatibility date the test Workers run with (the example's wrangler.toml has the same). */
export const COMPATIBILITY_DATE = '2025-09-01';

/**
 * Starts real workerd (miniflare) and waits until it is ready. Dispose it with `mf.dispose()`.
 *
 * @example
 * ```ts
 * const mf = await startMiniflare({ modules: true, script: (await bundleWorker(entry)).code, compatibilityDate: COMPATIBILITY_DATE });
 * ```
 */
export async function startMiniflare(options: MiniflareOptions): Promise<Miniflare> {
  const mf = new Miniflare(options);
  await mf.ready;
  return mf;
}
