#!/usr/bin/env node
// Fails when the last vitest run skipped or left "todo" any test. Under the test command every
// test runs: Redis and Chromium are provisioned, so a skip means something is missing or a
// test was switched off, and either must be loud.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2] ?? 'coverage/vitest-results.json';
if (!existsSync(file)) {
  console.error(`${file} is missing: run vitest with --reporter=json --outputFile.json=${file} first`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8'));
const skipped = [];
for (const suite of results.testResults ?? []) {
  for (const test of suite.assertionResults ?? []) {
    if (test.status === 'passed' || test.status === 'failed') continue;
    skipped.push(`  ${test.status.padEnd(8)} ${relative(process.cwd(), suite.name)} › ${test.fullName}`);
  }
}
const count = results.numPendingTests + results.numTodoTests;
if (count > 0 || skipped.length > 0) {
  console.error(`✖ ${Math.max(count, skipped.length)} test(s) did not run (skipped or todo); none may:`);
  console.error(skipped.join('\n'));
  process.exit(1);
}
console.log(`no skipped tests (${results.numPassedTests} passed)`);
