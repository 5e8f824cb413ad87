import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const errorsEntry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** Two error classes branded the way our packages brand theirs; the entry uses only `Used`. */
const source = `
import { BulwarkError, brandError, hasErrorBrand, isBulwarkError } from ${JSON.stringify(errorsEntry)};
class UnusedMarkerError extends BulwarkError {
  static brand = /* @__PURE__ */ brandError(this, 'UnusedMarkerError');
}
class UsedMarkerError extends BulwarkError {
  static brand = /* @__PURE__ */ brandError(this, 'UsedMarkerError');
}
const error = new UsedMarkerError({ code: 'used' });
export const checks = {
  brand: hasErrorBrand(error, 'UsedMarkerError'),
  foreign: error[Symbol.for('bulwark.error.UsedMarkerError')] === true,
  base: isBulwarkError(error),
  own: Object.getOwnPropertySymbols(error).length,
};
`;

describe('brandError in a static field (bundled for the browser, minified)', () => {
  it('drops an error class no code uses, and brands the prototype of one that is used', async () => {
    const result = await build({
      stdin: { contents: source, loader: 'ts', resolveDir: process.cwd() },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toContain('UnusedMarkerError');
    expect(code).toContain('UsedMarkerError');
    const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
      checks: Record<string, unknown>;
    };
    // The brand is a global-symbol key on the prototype: another copy of the package recognises it.
    expect(module.checks).toEqual({ brand: true, foreign: true, base: true, own: 0 });
  });
});
