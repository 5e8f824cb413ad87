// Packs the public packages with `pnpm pack` (which rewrites `workspace:*` ranges to versions)
// and reads each tarball's packed size, unpacked size and file count.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const exec = promisify(execFile);

/** The public (non-private) packages under `packages/`: `{ dir, manifest }`. */
export function publicPackages(root) {
  return readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

/** Sizes of the regular files in a .tgz: `{ unpacked, files, entries }` (entries: path -> bytes). */
export function tarballContents(file) {
  const tar = gunzipSync(readFileSync(file));
  const entries = new Map();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    if (type === '0') entries.set(prefix ? `${prefix}/${name}` : name, size);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  let unpacked = 0;
  for (const size of entries.values()) unpacked += size;
  return { unpacked, files: entries.size, entries };
}

/**
 * Packs every package into `destination` with one recursive `pnpm pack` (one pnpm start-up, not
 * one per package). Returns one row per package:
 * `{ name, version, dir, manifest, tarball, packed, unpacked, files }`.
 */
export async function packAll(packages, destination) {
  const filters = packages.flatMap(({ manifest }) => ['--filter', manifest.name]);
  const cwd = dirname(packages[0].dir);
  await exec('pnpm', ['--recursive', ...filters, 'pack', '--pack-destination', destination], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  return packages.map(({ dir, manifest }) => {
    const tarball = join(destination, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
    const packedManifest = packedPackageJson(tarball);
    const leftovers = Object.entries({ ...packedManifest.dependencies, ...packedManifest.peerDependencies }).filter(
      ([, range]) => String(range).startsWith('workspace:'),
    );
    if (leftovers.length > 0) throw new Error(`${manifest.name}: workspace ranges left in the tarball: ${leftovers}`);
    return {
      name: manifest.name,
      version: manifest.version,
      dir,
      manifest: packedManifest,
      tarball,
      packed: statSync(tarball).size,
      ...tarballContents(tarball),
    };
  });
}

function packedPackageJson(tarball) {
  const tar = gunzipSync(readFileSync(tarball));
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === 'package/package.json') {
      return JSON.parse(tar.subarray(offset + 512, offset + 512 + size).toString('utf8'));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${tarball} has no package/package.json`);
}
