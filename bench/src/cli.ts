import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from './report.js';
import { runSuite } from './run-suite.js';
import type { BenchResult, BenchSuite } from './suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const suitesDir = join(here, 'suites');
const resultsDir = join(here, '..', 'results');

const available = readdirSync(suitesDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const requested = process.argv.slice(2).filter((a) => a !== '--');
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown suite(s): ${unknown.join(', ')}. Available: ${available.join(', ')}`);
  process.exit(2);
}

mkdirSync(resultsDir, { recursive: true });
for (const name of requested.length > 0 ? requested : available) {
  const { suite } = (await import(join(suitesDir, `${name}.ts`))) as { suite: BenchSuite };
  console.log(`\n## ${suite.name}: ${suite.description}\n`);
  const results = await runSuite(suite);
  console.log(formatTable(results));
  const summary = suite.summary?.(results) ?? [];
  if (summary.length > 0) console.log(`\n${summary.join('\n')}`);
  const file = `${JSON.stringify(merged(suite.name, results, suite.startsOwnRedis === true), null, 2)}\n`;
  writeFileSync(join(resultsDir, `${suite.name}.json`), file);
}

/**
 * After a partial run (BENCH_CASES; BENCH_MEMORY_ONLY; no REDIS_URL for a suite that does not
 * start its own Redis, which leaves the Redis cases out), the rows of the cases that ran replace theirs and the other cases' rows are kept; a full
 * run rewrites the file.
 */
function merged(name: string, results: readonly BenchResult[], ownRedis: boolean): readonly BenchResult[] {
  const file = join(resultsDir, `${name}.json`);
  const partial = Boolean(
    process.env.BENCH_CASES || process.env.BENCH_MEMORY_ONLY || (!process.env.REDIS_URL && !ownRedis),
  );
  if (!partial || !existsSync(file)) return results;
  const ran = new Set(results.map((r) => r.case));
  const kept = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !ran.has(r.case));
  return [...kept, ...results];
}
