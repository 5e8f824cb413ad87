import { defineConfig } from 'tsup';

// The `bulwark-slo` bin (dist/cli.js keeps its shebang). Runs after tsup.config.ts, which cleans dist.
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: false,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
