import type { BenchResult } from './suite.js';

const formatOps = (ops: number): string =>
  ops >= 1e6 ? `${(ops / 1e6).toFixed(2)}M` : ops >= 1e3 ? `${(ops / 1e3).toFixed(1)}k` : ops.toFixed(0);

/** Renders results as an aligned text table grouped by case. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['case', 'subject', 'ops/s', '× floor', '±%'];
  const rows = results.map((r) => [
    r.case,
    r.subject,
    formatOps(r.opsPerSec),
    r.ratioToFloor.toFixed(2),
    r.rme.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
