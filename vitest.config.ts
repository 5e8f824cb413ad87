import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'packages/*/vitest.edge.config.ts', 'examples/*/vitest.config.ts'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      // error-descriptions.ts: documentation data that only scripts/generate-errors-doc.ts imports
      // (kept out of the runtime catalogs); its completeness is checked by tsc and that script.
      exclude: ['packages/testing/**', '**/*.d.ts', '**/*.test.ts', '**/*.test-d.ts', '**/error-descriptions.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
