import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/sqlite.ts', 'src/redis.ts', 'src/cloudflare-queues.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // import.meta.url in the CommonJS build (the WAL checkpointer resolves better-sqlite3 with it).
  shims: true,
});
