// Bundles every public entry point (each subpath of each package's exports map), as an app that
// imports all of it would, and reports the minified size of what the entry pulls in.
import { build } from 'esbuild';
import { mapConcurrent } from './run.mjs';

/** Browser bundles may not exceed this (minified, not compressed). */
export const BROWSER_LIMIT = 60 * 1024;

/**
 * Node-only bundles may not exceed this. They are measured without their third-party
 * dependencies (undici, zod, drivers: installed from npm, never shipped to a browser), so the
 * bound is on our own code.
 */
export const NODE_LIMIT = 150 * 1024;

/**
 * Browser entries over the 60 kB goal, each `{ limit, reason }`: the ceiling it may not exceed
 * (~5 % above the size measured when it was set; lower it when the entry shrinks) and why it is
 * over. Empty: every browser entry meets the goal.
 */
export const OVER_GOAL = {};

/**
 * Entry points that cannot run in a browser or edge runtime, bundled for `platform: 'node'`
 * instead, with their third-party dependencies external.
 */
export const NODE_ONLY = {
  '@bulwark/bullmq': 'BullMQ runs on ioredis (node:net); its peer bullmq is external',
  '@bulwark/delivery': 'the dispatcher delivers over undici (node:net/tls) with DNS-pinned SSRF checks',
  '@bulwark/delivery/sqlite': 'better-sqlite3 is a native Node addon; the store uses node:fs',
  '@bulwark/delivery/redis': 'ioredis speaks TCP (node:net)',
  '@bulwark/idempotency/sqlite': 'better-sqlite3 is a native Node addon',
  '@bulwark/idempotency/redis': 'hashes its Lua scripts with node:crypto (EVALSHA) for ioredis-style TCP clients',
  '@bulwark/ratelimit/redis': 'hashes its Lua scripts with node:crypto (EVALSHA) for ioredis-style TCP clients',
};

/** Every entry point of the packed packages: `{ specifier, platform }`. */
export function entryPoints(packed) {
  const entries = [];
  for (const { manifest } of packed) {
    for (const key of Object.keys(manifest.exports ?? { '.': null })) {
      if (key.endsWith('package.json')) continue;
      const specifier = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
      entries.push({ specifier, platform: specifier in NODE_ONLY ? 'node' : 'browser' });
    }
  }
  return entries;
}

/**
 * Bundles each entry from `resolveDir` (a project with the tarballs installed), minified ESM;
 * Node-only entries leave `thirdParty` (package names) external.
 * Returns `{ specifier, platform, bytes, limit, biggest, error? }` rows; `biggest` names the
 * package contributing most bytes; `error` says why an entry did not bundle.
 */
export async function measureBundles(entries, resolveDir, thirdParty) {
  return mapConcurrent(entries, 2, async ({ specifier, platform }) => {
    const limit = platform === 'node' ? NODE_LIMIT : (OVER_GOAL[specifier]?.limit ?? BROWSER_LIMIT);
    let result;
    try {
      result = await build({
        stdin: { contents: `export * from '${specifier}';`, resolveDir, loader: 'js' },
        bundle: true,
        minify: true,
        format: 'esm',
        platform,
        target: 'es2022',
        write: false,
        metafile: true,
        logLevel: 'silent',
        external: platform === 'node' ? thirdParty : [],
      });
    } catch (error) {
      return { specifier, platform, bytes: Number.NaN, limit, biggest: '', error: String(error.message ?? error) };
    }
    const bytes = result.outputFiles[0].contents.byteLength;
    const byPackage = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input)?.[1] ?? input;
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    const [top, topBytes] = [...byPackage].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return {
      specifier,
      platform,
      bytes,
      limit,
      biggest: `${top} ${Math.round((topBytes / Math.max(bytes, 1)) * 100)}%`,
    };
  });
}
