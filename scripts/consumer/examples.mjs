// The runnable README example of each package ("30-second example") and its ESM and CommonJS
// builds. The example is the ```ts block right after a `<!-- consumer-example -->` comment, or
// the README's first ```ts block when none is marked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';

const MARKER = '<!-- consumer-example -->';

/**
 * The ```ts block right after the HTML comment `marker` in the package's README; without a
 * marker, the first ```ts block. `undefined` when there is none.
 */
export function readmeBlock(packageDir, marker) {
  const file = join(packageDir, 'README.md');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const marked = marker === undefined ? -1 : lines.findIndex((line) => line.trim() === marker);
  if (marker !== undefined && marked < 0) return undefined;
  const start = lines.findIndex((line, i) => i > marked && /^```(ts|typescript)\s*$/.test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('```'));
  return lines.slice(start + 1, end).join('\n');
}

/** The package's runnable example (TypeScript source), or `undefined` when its README has none. */
export function readmeExample(packageDir) {
  return readmeBlock(packageDir, MARKER) ?? readmeBlock(packageDir);
}

/** The example as an ES module (`.mjs`): types stripped, top-level await kept. */
export async function toEsm(source) {
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
  return code;
}

/**
 * The example as CommonJS (`.cjs`), as a reader on a CJS project would write it: imports become
 * `require` calls and the body, which may use top-level await, runs in an async IIFE whose
 * rejection fails the process.
 */
export async function toCjs(source) {
  const esm = await toEsm(source);
  const imports = [];
  const body = esm.replace(/^import\s[\s\S]*?from\s*["'][^"']+["'];?\s*$/gm, (statement) => {
    imports.push(statement);
    return '';
  });
  const wrapped = `${imports.join('\n')}\n(async () => {\n${body.replace(/^export\s+(?!\{)/gm, '').replace(/^export\s*\{[^}]*\};?\s*$/gm, '')}\n})().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n`;
  const { code } = await transform(wrapped, { loader: 'js', format: 'cjs', target: 'node20' });
  return code;
}
