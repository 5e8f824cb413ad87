import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
  },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
    // p-retry 7 is ESM-only: bundle it into the CJS build (require(esm) cannot load its default export).
    noExternal: ['p-retry'],
  },
]);
