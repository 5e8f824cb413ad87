import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const here = dirname(fileURLToPath(import.meta.url));
const packages = resolve(here, '../../..');

/** Bundles `test/support/workerd-worker.ts` (workspace packages from their sources) into one ES module. */
export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'workerd-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'workspace-sources',
        setup(b) {
          b.onResolve({ filter: /^@bulwark\/[a-z-]+$/ }, (args) => ({
            path: join(packages, args.path.slice('@bulwark/'.length), 'src/index.ts'),
          }));
        },
      },
    ],
  });
  return (result.outputFiles[0] as { text: string }).text;
}

/** Workers besides the first, each its own isolate, bound to the first Worker's Durable Objects. */
export const COPIES = ['copy-1', 'copy-2', 'copy-3'] as const;

/**
 * Starts real workerd (miniflare) with the test Worker and its three Durable Object classes, plus
 * {@link COPIES} of the same script whose bindings point at the first Worker's objects (so
 * decisions from several isolates meet in one object).
 */
export async function startWorkerd(): Promise<Miniflare> {
  const script = await bundleWorker();
  const shared = { modules: true, script, compatibilityDate: '2025-09-01' };
  const mf = new Miniflare({
    workers: [
      {
        ...shared,
        name: 'worker',
        durableObjects: {
          RATE_LIMITER: 'RateLimitDurableObject',
          THROWING: 'ThrowingObject',
          STALLING: 'StallingObject',
        },
      },
      ...COPIES.map((name) => ({
        ...shared,
        name,
        durableObjects: {
          RATE_LIMITER: { className: 'RateLimitDurableObject', scriptName: 'worker' },
          THROWING: { className: 'ThrowingObject', scriptName: 'worker' },
          STALLING: { className: 'StallingObject', scriptName: 'worker' },
        },
      })),
    ],
  });
  await mf.ready;
  return mf;
}
