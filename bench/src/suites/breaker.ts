import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCircuitBreaker } from '@bulwark/breaker';
import { CountBreaker, circuitBreaker, handleAll, TimeoutStrategy, timeout, wrap } from 'cockatiel';
import type { BenchCase, BenchSubject, BenchSuite } from '../suite.js';

/** opossum ships no types; the few members used here. */
interface Opossum {
  fire(): Promise<unknown>;
  shutdown(): void;
}
type OpossumConstructor = new (action: () => Promise<unknown>, options?: Record<string, unknown>) => Opossum;
const OpossumBreaker = createRequire(import.meta.url)('opossum') as OpossumConstructor;

const resolved = (): Promise<number> => Promise.resolve(1);
const resolvedWith = (_signal: AbortSignal): Promise<number> => Promise.resolve(1);
const IDLE_BREAKERS = 10_000;
/** Calls per measured op: amortises the harness's per-op timing cost and jitter over many calls. */
const CALLS_PER_OP = 100;
/** Each scenario is measured this many times, interleaved, so drift on a shared machine shows up as spread. */
const ROUNDS = 3;
const SCENARIOS = ['execute, no timeout', 'execute, 10 s timeout'] as const;

const ours = createCircuitBreaker({ name: 'bench' });
const oursTimeout = createCircuitBreaker({ name: 'bench-timeout', timeoutMs: 10_000 });
const cockatielBreaker = circuitBreaker(handleAll, {
  halfOpenAfter: 30_000,
  breaker: new CountBreaker({ threshold: 0.5, size: 100, minimumNumberOfCalls: 20 }),
});
const cockatielTimeout = wrap(timeout(10_000, TimeoutStrategy.Aggressive), cockatielBreaker);
const opossumNoTimeout = new OpossumBreaker(resolved, { timeout: false });
const opossumDefaults = new OpossumBreaker(resolved);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes and timers left behind per idle breaker, for IDLE_BREAKERS breakers. */
function idleCost(create: () => unknown, release: (breaker: unknown) => void): { bytes: number; timers: number } {
  let live = 0;
  const real = { setTimeout, setInterval, clearTimeout, clearInterval };
  const created = new Set<unknown>();
  const track =
    <A extends unknown[]>(fn: (...args: A) => unknown) =>
    (...args: A) => {
      const handle = fn(...args);
      created.add(handle);
      live += 1;
      return handle;
    };
  const untrack =
    (fn: (handle: never) => void) =>
    (handle: never): void => {
      if (created.delete(handle)) live -= 1;
      fn(handle);
    };
  Object.assign(globalThis, {
    setTimeout: track(real.setTimeout as (...args: unknown[]) => unknown),
    setInterval: track(real.setInterval as (...args: unknown[]) => unknown),
    clearTimeout: untrack(real.clearTimeout as (handle: never) => void),
    clearInterval: untrack(real.clearInterval as (handle: never) => void),
  });
  const breakers: unknown[] = new Array(IDLE_BREAKERS);
  try {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < IDLE_BREAKERS; i++) breakers[i] = create();
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    const timers = live;
    return { bytes: Math.round((after - before) / IDLE_BREAKERS), timers: timers / IDLE_BREAKERS };
  } finally {
    for (const breaker of breakers) release(breaker);
    Object.assign(globalThis, real);
  }
}

function printIdleCosts(): void {
  const rows = [
    [
      '@bulwark/breaker',
      idleCost(
        () => createCircuitBreaker({ name: 'idle' }),
        () => {},
      ),
    ],
    [
      'cockatiel 3.2.1',
      idleCost(
        () =>
          circuitBreaker(handleAll, {
            halfOpenAfter: 30_000,
            breaker: new CountBreaker({ threshold: 0.5, size: 100, minimumNumberOfCalls: 20 }),
          }),
        () => {},
      ),
    ],
    [
      'opossum 9.0.0',
      idleCost(
        () => new OpossumBreaker(resolved),
        (b) => (b as Opossum).shutdown(),
      ),
    ],
  ] as const;
  console.log(`idle cost of ${IDLE_BREAKERS.toLocaleString('en')} breakers (defaults, never called):`);
  for (const [name, { bytes, timers }] of rows) {
    console.log(
      `  ${name.padEnd(18)} ${String(bytes).padStart(6)} heap bytes/breaker  ${timers.toFixed(2)} timers/breaker`,
    );
  }
  const ourBytes = rows[0][1].bytes;
  console.log(
    `  goal: < 1 KB and 0 timers per idle breaker → ${ourBytes < 1024 && rows[0][1].timers === 0 ? 'met' : 'NOT met'}\n`,
  );
}

/** Per-call overhead over the floor, in ns, from one case's rows (each op runs CALLS_PER_OP calls). */
function overheads(rows: readonly Row[]): Map<string, number> | undefined {
  const floor = rows.find((r) => r.subject.includes('(floor)'));
  if (!floor) return undefined;
  const perCall = (ops: number): number => 1e9 / ops / CALLS_PER_OP;
  return new Map(
    rows.filter((r) => r !== floor).map((r) => [r.subject, perCall(r.opsPerSec) - perCall(floor.opsPerSec)]),
  );
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const spread = (values: readonly number[], digits: number): string =>
  `median ${median(values).toFixed(digits)} (rounds: ${values.map((v) => v.toFixed(digits)).join(', ')})`;

interface Row {
  case: string;
  subject: string;
  opsPerSec: number;
}

/**
 * After the run, prints per-call overhead over the floor and the ratios the issue asks for:
 * overhead = ns per call − ns per floor call, ratio = (ours − floor) / (peer − floor), each
 * computed within one round (same conditions), then summarised as the median over rounds.
 */
function printOverheadRatios(): void {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results', 'breaker.json');
  if (!existsSync(file)) return;
  const results = JSON.parse(readFileSync(file, 'utf8')) as Row[];
  console.log(
    `\nper-call overhead over the floor (ns = per-call time − floor per-call time; ${CALLS_PER_OP} calls per op, ${ROUNDS} interleaved rounds):`,
  );
  for (const scenario of SCENARIOS) {
    const rounds = [...new Set(results.map((r) => r.case))]
      .filter((name) => name.startsWith(`${scenario} [`))
      .map((name) => overheads(results.filter((r) => r.case === name)))
      .filter((round) => round !== undefined);
    if (rounds.length === 0) continue;
    console.log(`  ${scenario}:`);
    for (const subject of rounds[0]?.keys() ?? []) {
      const values = rounds.map((round) => round.get(subject) ?? Number.NaN);
      console.log(`    ${subject.padEnd(34)} ${spread(values, 0)} ns`);
    }
    const ratio = (subject: string, peer: string): number[] =>
      rounds.map((round) => {
        const mine = [...round].find(([name]) => name.startsWith(subject))?.[1] ?? Number.NaN;
        const theirs = [...round].find(([name]) => name.startsWith(peer))?.[1] ?? Number.NaN;
        return mine / theirs;
      });
    const timeout = scenario === 'execute, 10 s timeout';
    console.log(
      `    ours / cockatiel overhead: ${spread(ratio('@bulwark/breaker', 'cockatiel'), 2)}${timeout ? '' : ' (goal ≤ 0.50)'}`,
    );
    console.log(
      `    ours / opossum overhead:   ${spread(ratio('@bulwark/breaker', 'opossum'), 2)}${timeout ? ' (goal ≤ 0.50)' : ''}`,
    );
    if (timeout) {
      console.log(
        `    bound / opossum overhead:  ${spread(ratio('bound:', 'opossum'), 2)} (one fresh AbortSignal per call and nothing else)`,
      );
      console.log(`    ours / bound overhead:     ${spread(ratio('@bulwark/breaker', 'bound:'), 2)}`);
    }
  }
}

// One loop per subject (no shared helper), so each call site stays monomorphic for its own subject.
function scenario(name: (typeof SCENARIOS)[number], round: number): BenchCase {
  const subjects: BenchSubject[] =
    name === 'execute, no timeout'
      ? [
          {
            name: 'await resolved() (floor)',
            floor: true,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await resolved();
            },
          },
          {
            name: '@bulwark/breaker execute',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await ours.execute(resolved);
            },
          },
          {
            name: 'cockatiel CountBreaker execute',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await cockatielBreaker.execute(resolved);
            },
          },
          {
            name: 'opossum fire (timeout: false)',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await opossumNoTimeout.fire();
            },
          },
        ]
      : [
          {
            name: 'await resolved() (floor)',
            floor: true,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await resolved();
            },
          },
          {
            name: '@bulwark/breaker timeoutMs',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await oursTimeout.execute(resolved);
            },
          },
          {
            name: 'cockatiel wrap(timeout, breaker)',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await cockatielTimeout.execute(resolved);
            },
          },
          {
            name: 'opossum fire (defaults)',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await opossumDefaults.fire();
            },
          },
          {
            // The bound for "a fresh AbortSignal per call that aborts on timeout": creating the
            // signal alone, with nothing else of a breaker.
            name: 'bound: await resolved(new AbortController().signal)',
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await resolvedWith(new AbortController().signal);
            },
          },
        ];
  // A full GC first, so no subject pays for the garbage the previous one left behind.
  return { name: `${name} [round ${round}/${ROUNDS}]`, subjects: subjects.map((s) => ({ ...s, setup: () => gc() })) };
}

/** Per-call overhead of a closed breaker on a resolved call, and the idle cost of 10,000 breakers. */
export const suite: BenchSuite = {
  name: 'breaker',
  description: `a closed breaker around an already-resolved async call, versus a bare await (the floor); ${CALLS_PER_OP} sequential calls per op`,
  cases: () => {
    printIdleCosts();
    process.once('exit', printOverheadRatios);
    const cases: BenchCase[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of SCENARIOS) cases.push(scenario(name, round));
    }
    return cases;
  },
  dispose: () => {
    opossumNoTimeout.shutdown();
    opossumDefaults.shutdown();
    ours.dispose();
    oursTimeout.dispose();
  },
};
