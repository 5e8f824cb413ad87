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

/** Starts real workerd (miniflare) with the test Worker and its three Durable Object classes. */
export async function startWorkerd(): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2025-09-01',
    durableObjects: {
      RATE_LIMITER: 'RateLimitDurableObject',
      THROWING: 'ThrowingObject',
      STALLING: 'StallingObject',
    },
  });
  await mf.ready;
  return mf;
}
