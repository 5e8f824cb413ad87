import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const repoRoot = dirname(fileURLToPath(import.meta.url));

/**
 * Workspace packages resolve to their TypeScript sources in tests, so a change in
 * `@bulwark/errors` is seen by every dependent suite without a rebuild.
 * `@bulwark/<pkg>/<sub>` maps to `packages/<pkg>/src/<sub>.ts`.
 */
const workspaceAliases = [
  {
    find: /^@bulwark\/([a-z-]+)$/,
    replacement: join(repoRoot, 'packages/$1/src/index.ts'),
  },
  {
    find: /^@bulwark\/([a-z-]+)\/([a-z-]+)$/,
    replacement: join(repoRoot, 'packages/$1/src/$2.ts'),
  },
];

/**
 * `#node-crypto-engine` (an `imports` entry of @bulwark/webhooks): the node:crypto fast path on
 * Node, the no-op target in edge runs, as the package's `node` / default conditions pick them.
 */
const nodeCryptoEngine = (target: 'node' | 'no-node') => ({
  find: /^#node-crypto-engine$/,
  replacement: join(repoRoot, `packages/webhooks/src/internal/${target}-crypto-engine.ts`),
});

function packageName(configUrl: string): { dir: string; name: string } {
  const dir = dirname(fileURLToPath(configUrl));
  const manifest = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as { name: string };
  return { dir, name: manifest.name.replace(/^@[^/]+\//, '') };
}

/** Options a package may pass to tune its test project. */
export interface ProjectOptions {
  /** Extra include globs, relative to the package. */
  include?: string[];
  /** Per-test timeout in ms (default 10 000). */
  testTimeout?: number;
}

/** The Node.js test project of a package: every `test/**\/*.test.ts` plus type tests. */
export function nodeProject(configUrl: string, options: ProjectOptions = {}): UserWorkspaceConfig {
  const { dir, name } = packageName(configUrl);
  return defineProject({
    root: dir,
    resolve: { alias: [...workspaceAliases, nodeCryptoEngine('node')] },
    test: {
      name: `${name}:node`,
      environment: 'node',
      include: ['test/**/*.test.ts', ...(options.include ?? [])],
      testTimeout: options.testTimeout ?? 10_000,
      typecheck: {
        enabled: true,
        include: ['test/**/*.test-d.ts'],
        tsconfig: resolve(dir, 'tsconfig.json'),
      },
    },
  });
}

/** The edge-runtime test project of a package: the same tests minus `*.node.test.ts`. */
export function edgeProject(configUrl: string, options: ProjectOptions = {}): UserWorkspaceConfig {
  const { dir, name } = packageName(configUrl);
  return defineProject({
    root: dir,
    resolve: { alias: [...workspaceAliases, nodeCryptoEngine('no-node')] },
    test: {
      name: `${name}:edge`,
      environment: 'edge-runtime',
      include: ['test/**/*.test.ts', ...(options.include ?? [])],
      exclude: ['test/**/*.node.test.ts', '**/node_modules/**'],
      testTimeout: options.testTimeout ?? 10_000,
    },
  });
}
