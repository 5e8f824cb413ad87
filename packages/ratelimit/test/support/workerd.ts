import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, COMPATIBILITY_DATE, startMiniflare } from '@bulwark/testing/workerd';
import type { Miniflare } from 'miniflare';

const here = dirname(fileURLToPath(import.meta.url));

/** Workers besides the first, each its own isolate, bound to the first Worker's Durable Objects. */
export const COPIES = ['copy-1', 'copy-2', 'copy-3'] as const;

/**
 * Starts real workerd (miniflare) with the test Worker and its three Durable Object classes, plus
 * {@link COPIES} of the same script whose bindings point at the first Worker's objects (so
 * decisions from several isolates meet in one object).
 */
export async function startWorkerd(): Promise<Miniflare> {
  const { code: script } = await bundleWorker(join(here, 'workerd-worker.ts'));
  const shared = { modules: true, script, compatibilityDate: COMPATIBILITY_DATE };
  return startMiniflare({
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
}
