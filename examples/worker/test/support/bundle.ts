import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const packages = resolve(root, '../../packages');

/** `@bulwark/<pkg>` and `@bulwark/<pkg>/<sub>` from their TypeScript sources (no build needed). */
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
 * Bundles a Worker entry as `wrangler deploy` does (esbuild, ES module, es2022, the `workerd`,
 * `worker` and `browser` export conditions; not minified unless `minify`).
 */
export async function bundleWorker(entry = join(root, 'src/index.ts'), minify = false): Promise<WorkerBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    minify,
    write: false,
    logLevel: 'silent',
    plugins: [workspaceSources],
  });
  const code = (result.outputFiles[0] as { text: string }).text;
  const bytes = Buffer.byteLength(code);
  return { code, bytes, gzipBytes: gzipSync(code).byteLength };
}

/** The bundle budget of the reference Worker: 300 kB gzip, as `wrangler deploy` reports it. */
export const GZIP_BUDGET_BYTES = 300 * 1000;
