#!/usr/bin/env node
// THE test command (`pnpm test`): build, lint, typecheck, package checks, vitest with
// coverage, the coverage ratchet and the API docs. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { bootstrap } from './bootstrap.mjs';

bootstrap();

const steps = [
  ['build', ['pnpm', 'build']],
  ['lint', ['pnpm', 'lint']],
  ['typecheck', ['pnpm', 'typecheck']],
  ['documentation examples typecheck', ['node', 'scripts/check-doc-examples.mjs']],
  ['package checks (publint, attw)', ['pnpm', 'check:packages']],
  [
    'unit tests with coverage',
    [
      'pnpm',
      'exec',
      'vitest',
      'run',
      '--coverage',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=coverage/vitest-results.json',
    ],
  ],
  ['coverage ratchet', ['node', 'scripts/coverage-ratchet.mjs', 'check']],
  ['end-to-end demo (pnpm demo)', ['pnpm', 'demo']],
  ['api docs', ['pnpm', 'run', 'docs']],
  ['error code registry is current', ['pnpm', 'exec', 'tsx', 'scripts/generate-errors-doc.ts', '--check']],
];

const started = Date.now();
for (const [name, [command, ...args]] of steps) {
  const stepStart = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${result.status ?? result.signal}) after ${seconds}s`);
    printTally();
    process.exit(1);
  }
  console.log(`✔ ${name} (${seconds}s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
printTally();

function printTally() {
  const file = 'coverage/vitest-results.json';
  if (!existsSync(file)) return;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
}
