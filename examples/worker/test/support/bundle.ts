import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, type WorkerBundle } from '@bulwark/testing/workerd';

export type { WorkerBundle };

/** The reference Worker's entry, as wrangler.toml's `main` names it. */
export const WORKER_ENTRY = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'src/index.ts');

/** Bundles the reference Worker as `wrangler deploy` does (`@bulwark/testing/workerd`). */
export const bundleReferenceWorker = (minify = false): Promise<WorkerBundle> => bundleWorker(WORKER_ENTRY, { minify });

/** The bundle budget of the reference Worker: 300 kB gzip, as `wrangler deploy` reports it. */
export const GZIP_BUDGET_BYTES = 300 * 1000;
