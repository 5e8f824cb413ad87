import { defineConfig } from 'tsup';

export default defineConfig({
  // src/cli.ts is the `bulwark-slo` bin (dist/cli.js keeps its shebang); only index has types.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
