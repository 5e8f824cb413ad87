import { createSketch } from '@bulwark/slo';
import { DDSketch } from '@datadog/sketches-js';
import * as hdr from 'hdr-histogram-js';
import type { BenchSuite } from '../suite.js';

const N = 1_000_000;
const QUANTILES = [0.5, 0.9, 0.99] as const;

/** 1,000,000 lognormal latencies (median 50 ms, σ = 1), from a fixed seed (mulberry32 + Box–Muller). */
function lognormalSamples(seed: number): Float64Array {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = Math.exp(Math.log(50) + z);
  }
  return out;
}

const samples = lognormalSamples(20_261_122);
const sorted = Float64Array.from(samples).sort();
const exact = (q: number): number => sorted[Math.max(1, Math.ceil(q * N)) - 1] as number;

// hdr-histogram records integers: microseconds, 2 significant digits (≤ 1% error), like α = 1%.
const newHdr = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 });

type Estimator = { name: string; fill: () => (q: number) => number };
const estimators: Estimator[] = [
  {
    name: '@bulwark/slo createSketch',
    fill: () => {
      const s = createSketch();
      for (let i = 0; i < N; i++) s.add(samples[i] as number);
      return (q) => s.quantile(q) as number;
    },
  },
  {
    name: '@datadog/sketches-js DDSketch',
    fill: () => {
      const s = new DDSketch({ relativeAccuracy: 0.01 });
      for (let i = 0; i < N; i++) s.accept(samples[i] as number);
      return (q) => s.getValueAtQuantile(q) as number;
    },
  },
  {
    name: 'hdr-histogram-js (µs, 2 digits)',
    fill: () => {
      const h = newHdr();
      for (let i = 0; i < N; i++) h.recordValue(Math.round((samples[i] as number) * 1000));
      return (q) => h.getValueAtPercentile(q * 100) / 1000;
    },
  },
];

/** Wall time of the measured runs per subject, to print inserts/s ratios next to the harness table. */
const timings = new Map<string, { ms: number; runs: number }>();
function timed(name: string, fn: () => unknown): () => unknown {
  return () => {
    const t0 = performance.now();
    const result = fn();
    const entry = timings.get(name) ?? { ms: 0, runs: 0 };
    entry.ms += performance.now() - t0;
    entry.runs++;
    timings.set(name, entry);
    return result;
  };
}

function printAccuracy(): void {
  console.log(
    `Relative error on ${N.toLocaleString('en-US')} seeded lognormal samples (exact = nearest rank of a full sort):`,
  );
  const rows = [['subject', ...QUANTILES.map((q) => `p${q * 100} rel. err`)]];
  for (const e of estimators) {
    const estimate = e.fill();
    rows.push([
      e.name,
      ...QUANTILES.map((q) => `${((Math.abs(estimate(q) - exact(q)) / exact(q)) * 100).toFixed(3)}%`),
    ]);
  }
  rows.push(['exact sort', ...QUANTILES.map((q) => `0% (${exact(q).toFixed(2)} ms)`)]);
  for (const row of rows)
    console.log(
      `  ${(row[0] as string).padEnd(34)}${row
        .slice(1)
        .map((c) => c.padStart(24))
        .join('')}`,
    );
  console.log('');
}

/** Inserts/s and p50/p90/p99 error: ours vs @datadog/sketches-js vs hdr-histogram-js vs an exact sort. */
export const suite: BenchSuite = {
  name: 'slo',
  description: `${N.toLocaleString('en-US')} lognormal latencies into a quantile sketch; floor = plain array push`,
  cases: () => {
    printAccuracy();
    const subject = (name: string, fn: () => unknown, floor = false) => ({
      name,
      fn: timed(name, fn),
      ...(floor ? { floor } : {}),
    });
    return [
      {
        name: `insert ${N / 1e6}M`,
        subjects: [
          subject(
            'array push (floor)',
            () => {
              const a: number[] = [];
              for (let i = 0; i < N; i++) a.push(samples[i] as number);
              return a;
            },
            true,
          ),
          ...estimators.map((e) => subject(e.name, e.fill)),
          subject('exact: copy + sort', () => Float64Array.from(samples).sort()),
        ],
      },
    ];
  },
  dispose: () => {
    const perSec = (name: string) => {
      const t = timings.get(name);
      return t ? (N * t.runs) / (t.ms / 1000) : Number.NaN;
    };
    const datadog = perSec('@datadog/sketches-js DDSketch');
    console.log('Inserts/s (mean over the measured runs) and ratio to @datadog/sketches-js:');
    for (const name of timings.keys()) {
      const rate = perSec(name);
      console.log(
        `  ${name.padEnd(34)}${`${(rate / 1e6).toFixed(2)}M/s`.padStart(12)}${`${(rate / datadog).toFixed(2)}×`.padStart(10)}`,
      );
    }
    console.log('');
  },
};
