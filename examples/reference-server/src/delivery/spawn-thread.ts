import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ThreadData } from './thread-protocol.js';

/** `tsx/esm/api` from tsx's exports map: a thread started from TypeScript sources registers it first. */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const exports = (
    JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  ).exports;
  return pathToFileURL(
    join(dirname(manifest), (exports['./esm/api'] as { import: { default: string } }).import.default),
  ).href;
}

/**
 * Starts the thread at `entry` with `data` as its `workerData`. A `.ts` entry (the server runs
 * from its TypeScript sources) is imported after registering tsx in the thread.
 */
export function spawnThread(entry: URL, data: ThreadData): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  // Loader flags in a worker's execArgv do not apply to its entry on Node 20: register tsx in the thread first.
  const source = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(source, { eval: true, workerData: data });
}
