// The workspace's published packages: every packages/<dir>/package.json that is not private.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(import.meta.dirname, '..');

/**
 * Every public package, sorted by folder name.
 * @returns {Array<{ dir: string, folder: string, manifestPath: string, manifest: Record<string, any> }>}
 */
export function publicPackages() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((folder) => ({ folder, dir: join(root, 'packages', folder) }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map(({ folder, dir }) => {
      const manifestPath = join(dir, 'package.json');
      return { folder, dir, manifestPath, manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) };
    })
    .filter(({ manifest }) => !manifest.private);
}
