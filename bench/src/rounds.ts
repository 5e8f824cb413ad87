import type { BenchResult } from './suite.js';

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `median 0.98 (rounds: 0.97, 0.98, 1.01)`. */
export function spread(values: readonly number[], digits = 2): string {
  return `median ${median(values).toFixed(digits)} (rounds: ${values.map((v) => v.toFixed(digits)).join(', ')})`;
}

/** The case name of round `round` of `rounds` of a scenario: `name [round 2/5]`. */
export function roundName(name: string, round: number, rounds: number): string {
  return `${name} [round ${round}/${rounds}]`;
}

/**
 * For each round of scenario `name`, `ratio(opsPerSec by subject)`; rounds whose subjects are
 * missing are skipped. Ratios are taken within a round, so they compare like with like.
 */
export function perRound(
  results: readonly BenchResult[],
  name: string,
  ratio: (ops: (subjectPrefix: string) => number) => number,
): number[] {
  const cases = [...new Set(results.map((r) => r.case))].filter((c) => c.startsWith(`${name} [round `));
  return cases
    .map((c) => {
      const rows = results.filter((r) => r.case === c);
      return ratio((prefix) => rows.find((r) => r.subject.startsWith(prefix))?.opsPerSec ?? Number.NaN);
    })
    .filter((v) => Number.isFinite(v));
}
