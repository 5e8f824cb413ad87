#!/usr/bin/env node
// Coverage ratchet: each published package commits `coverage-baseline.json`. `check` fails
// when lines, branches or functions drop more than TOLERANCE points below it, when a package
// has no baseline, or when lines are under the FLOOR. `update` raises baselines to what
// the last run reached (never lowers them unless --allow-decrease is given).
// Usage: node scripts/coverage-ratchet.mjs check|update [--package <name>]... [--allow-decrease]
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const TOLERANCE = 0.1;
const FLOOR_LINES = 90;
const METRICS = ['lines', 'branches', 'functions', 'statements'];
const root = resolve(import.meta.dirname, '..');
const [mode = 'check', ...flags] = process.argv.slice(2);

const summaryFile = join(root, 'coverage/coverage-summary.json');
if (!existsSync(summaryFile)) {
  console.error('coverage/coverage-summary.json is missing: run `vitest run --coverage` first');
  process.exit(1);
}
const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));

// `--package <name>` (repeatable) limits check/update to those packages, for a partial test run.
const only = flags.flatMap((flag, i) => (flag === '--package' && flags[i + 1] ? [flags[i + 1]] : []));
const packages = readdirSync(join(root, 'packages')).filter((name) => {
  const manifest = join(root, 'packages', name, 'package.json');
  if (only.length > 0 && !only.includes(name)) return false;
  return existsSync(manifest) && !JSON.parse(readFileSync(manifest, 'utf8')).private;
});

const totals = new Map(
  packages.map((name) => [name, Object.fromEntries(METRICS.map((m) => [m, { covered: 0, total: 0 }]))]),
);
for (const [file, data] of Object.entries(summary)) {
  if (file === 'total') continue;
  const parts = relative(root, file).split(sep);
  if (parts[0] !== 'packages' || !totals.has(parts[1])) continue;
  for (const metric of METRICS) {
    totals.get(parts[1])[metric].covered += data[metric].covered;
    totals.get(parts[1])[metric].total += data[metric].total;
  }
}

const pct = ({ covered, total }) => (total === 0 ? 100 : Math.floor((covered / total) * 10_000) / 100);
let failed = false;
const rows = [];
for (const name of packages) {
  const current = Object.fromEntries(METRICS.map((m) => [m, pct(totals.get(name)[m])]));
  const baselineFile = join(root, 'packages', name, 'coverage-baseline.json');
  const baseline = existsSync(baselineFile) ? JSON.parse(readFileSync(baselineFile, 'utf8')) : undefined;
  if (mode === 'update') {
    const next = Object.fromEntries(
      METRICS.map((m) => [
        m,
        flags.includes('--allow-decrease') || !baseline ? current[m] : Math.max(current[m], baseline[m] ?? 0),
      ]),
    );
    writeFileSync(baselineFile, `${JSON.stringify(next, null, 2)}\n`);
    rows.push(`${name.padEnd(12)} baseline ← ${METRICS.map((m) => `${m} ${next[m]}`).join(', ')}`);
    continue;
  }
  const problems = [];
  if (totals.get(name).lines.total === 0) problems.push('no source was covered at all (are its tests running?)');
  if (!baseline) problems.push('no coverage-baseline.json (run `pnpm coverage:update`)');
  if (current.lines < FLOOR_LINES) problems.push(`lines ${current.lines}% < the ${FLOOR_LINES}% floor`);
  for (const metric of ['lines', 'branches', 'functions']) {
    // In hundredths of a point: 98.2 - 0.1 is 98.10000000000001 in floating point, which would
    // fail a drop of exactly the tolerance.
    if (baseline && Math.round(current[metric] * 100) < Math.round((baseline[metric] - TOLERANCE) * 100)) {
      problems.push(`${metric} ${current[metric]}% < baseline ${baseline[metric]}% - ${TOLERANCE}`);
    }
  }
  failed ||= problems.length > 0;
  rows.push(
    `${problems.length ? '✖' : '✔'} ${name.padEnd(12)} ${METRICS.map((m) => `${m} ${current[m]}%`).join('  ')}${problems.length ? `\n    ${problems.join('\n    ')}` : ''}`,
  );
}
console.log(rows.join('\n'));
if (failed) {
  console.error('\nCoverage ratchet failed.');
  process.exit(1);
}
