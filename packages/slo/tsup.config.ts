import { defineConfig } from 'tsup';

// The library: ESM + CJS with types. The `bulwark-slo` bin is built by tsup.cli.config.ts,
// ESM only: `bin` points at dist/cli.js, so a CJS copy would ship unused.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
