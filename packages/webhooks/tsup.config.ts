import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis.ts',
    inbound: 'src/inbound.ts',
    // The two targets of `#node-crypto-engine` (package.json `imports`): loaded at run time by
    // condition, never bundled into the entries above.
    'node-crypto-engine': 'src/internal/node-crypto-engine.ts',
    'no-node-crypto-engine': 'src/internal/no-node-crypto-engine.ts',
  },
  external: ['#node-crypto-engine'],
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', redis: 'src/redis.ts', inbound: 'src/inbound.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
