import { Bench } from 'tinybench';
import type { BenchResult, BenchSuite } from './suite.js';

/** How long each subject is measured; override with BENCH_TIME_MS / BENCH_WARMUP_MS. */
const timeMs = Number(process.env.BENCH_TIME_MS ?? 1_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 250);
/** Only cases whose name matches this regular expression (BENCH_CASES), e.g. `forged`. */
const only = process.env.BENCH_CASES ? new RegExp(process.env.BENCH_CASES) : undefined;

/** Runs every case of a suite, all subjects side by side, and computes ratios to the floor. */
export async function runSuite(suite: BenchSuite): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  try {
    for (const benchCase of await suite.cases()) {
      if (only && !only.test(benchCase.name)) continue;
      const floors = benchCase.subjects.filter((s) => s.floor);
      if (floors.length !== 1) throw new Error(`case "${benchCase.name}" must have exactly one floor subject`);
      const bench = new Bench({
        time: timeMs,
        warmup: true,
        warmupTime: warmupMs,
        name: benchCase.name,
        ...(benchCase.iterations === undefined ? {} : { iterations: benchCase.iterations }),
        ...(benchCase.warmupIterations === undefined ? {} : { warmupIterations: benchCase.warmupIterations }),
      });
      for (const subject of benchCase.subjects) {
        bench.add(subject.name, subject.fn, {
          ...(subject.setup ? { beforeAll: subject.setup } : {}),
          ...(subject.beforeEach ? { beforeEach: subject.beforeEach } : {}),
          ...(subject.teardown ? { afterAll: subject.teardown } : {}),
        });
      }
      await bench.run();
      const measured = bench.tasks.map((task) => {
        const result = task.result;
        if (result?.state !== 'completed') {
          throw new Error(
            `${suite.name} / ${benchCase.name} / ${task.name} failed: ${String((result as { error?: unknown })?.error)}`,
          );
        }
        return {
          name: task.name,
          hz: result.throughput.mean,
          rme: result.latency.rme,
          samples: result.latency.samplesCount,
        };
      });
      const floorHz = measured.find((m) => m.name === floors[0]?.name)?.hz ?? Number.NaN;
      for (const m of measured) {
        results.push({
          suite: suite.name,
          subject: m.name,
          case: benchCase.name,
          opsPerSec: Math.round(m.hz),
          ratioToFloor: Number((m.hz / floorHz).toFixed(3)),
          rme: Number(m.rme.toFixed(2)),
          samples: m.samples,
        });
      }
    }
  } finally {
    await suite.dispose?.();
  }
  return results;
}
