import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `.ts` files under `srcDir` that import from `node:` (ESM or require), so a suite can
 * assert that a package's core stays runtime-agnostic. Throws when `srcDir` has no `.ts` file,
 * so a wrong path cannot pass vacuously.
 *
 * @example
 * ```ts
 * expect(filesImportingNode(join(import.meta.dirname, '..', 'src'))).toEqual([]);
 * ```
 */
export function filesImportingNode(srcDir: string): string[] {
  const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  if (files.length === 0) throw new Error(`no .ts files under ${srcDir}`);
  return files.filter((f) => /from ['"]node:|require\(['"]node:/.test(readFileSync(join(srcDir, f), 'utf8')));
}
