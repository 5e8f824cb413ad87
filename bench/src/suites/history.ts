import {
  createHistoryFixture,
  HISTORY_DELIVERIES,
  type HistoryFixture,
} from '../../../examples/reference-server/scripts/history-fixture.js';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

const ROUNDS = 3;
/** The dashboard's budget for the 1 h window, at p95 of the server's own (CPU) time. */
const BUDGET_P95_MS = 5;
const FLOOR = 'GET /health/liveness (floor)';
const HOUR = 'GET /admin/history?window=1h (rebuilt)';
const QUARTER = 'GET /admin/history?window=15m (rebuilt)';
const NOT_MODIFIED = 'GET /admin/history?window=1h (If-None-Match → 304)';

let fixture: HistoryFixture | undefined;
/** CPU milliseconds of each timed request, per subject (all rounds, warm-up included). */
const cpu = new Map<string, number[]>();

function ready(): HistoryFixture {
  if (!fixture) throw new Error('history fixture not built');
  return fixture;
}

/** A timed request: answers `status` (or the run fails) and records the CPU it cost. */
function timed(name: string, path: string, status: number, headers?: () => Record<string, string>): BenchSubject['fn'] {
  const samples = cpu.get(name) ?? [];
  cpu.set(name, samples);
  return async () => {
    const before = process.cpuUsage();
    const response = await ready().request(path, headers?.());
    await response.arrayBuffer();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1_000);
    if (response.status !== status) throw new Error(`${path} answered ${response.status}, not ${status}`);
  };
}

function cases(round: number): BenchCase {
  let etag = '';
  return {
    name: roundName('history API', round, ROUNDS),
    subjects: [
      { name: FLOOR, floor: true, fn: timed(FLOOR, '/health/liveness', 200) },
      // One dashboard poll of traffic (5 s) before each request: the ETag changes, the body is rebuilt.
      { name: HOUR, beforeEach: () => ready().poll(), fn: timed(HOUR, '/admin/history?window=1h', 200) },
      { name: QUARTER, beforeEach: () => ready().poll(), fn: timed(QUARTER, '/admin/history?window=15m', 200) },
      {
        name: NOT_MODIFIED,
        beforeEach: async () => {
          etag = (await ready().request('/admin/history?window=1h')).headers.get('etag') ?? '';
        },
        fn: timed(NOT_MODIFIED, '/admin/history?window=1h', 304, () => ({ 'if-none-match': etag })),
      },
    ],
  };
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

function summary(results: readonly BenchResult[]): string[] {
  const cost = (subject: string) =>
    spread(
      perRound(results, 'history API', (ops) => ops(FLOOR) / ops(subject)),
      1,
    );
  const cpuLine = (subject: string) => {
    const samples = cpu.get(subject) ?? [];
    return `CPU p50 ${quantile(samples, 0.5).toFixed(2)} ms, p95 ${quantile(samples, 0.95).toFixed(2)} ms`;
  };
  const hour95 = quantile(cpu.get(HOUR) ?? [], 0.95);
  return [
    `cost relative to the liveness probe (floor ops ÷ ours within each round; ${ROUNDS} interleaved rounds):`,
    `  1 h window, rebuilt   ${cost(HOUR)}; ${cpuLine(HOUR)}`,
    `  15 min window, rebuilt ${cost(QUARTER)}; ${cpuLine(QUARTER)}`,
    `  1 h window, 304       ${cost(NOT_MODIFIED)}; ${cpuLine(NOT_MODIFIED)}`,
    `budget: 1 h window CPU p95 ≤ ${BUDGET_P95_MS} ms: ${hour95.toFixed(2)} ms, ${hour95 <= BUDGET_P95_MS ? 'within' : 'OVER'} (reported, not enforced)`,
  ];
}

/** The reference server's `GET /admin/history` (the dashboard's charts), in process, against its liveness probe. */
export const suite: BenchSuite = {
  name: 'history',
  description: `reference server GET /admin/history in process (app.request), ${HISTORY_DELIVERIES} deliveries in the store and 1 h of history, a 5 s poll of traffic before each rebuilt request, versus GET /health/liveness (the floor)`,
  cases: async () => {
    fixture = await createHistoryFixture();
    return Array.from({ length: ROUNDS }, (_, r) => cases(r + 1));
  },
  summary,
  dispose: async () => {
    await fixture?.close();
    fixture = undefined;
  },
};
