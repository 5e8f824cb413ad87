import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCircuitBreaker } from '@bulwark/breaker';
import { CountBreaker, circuitBreaker, handleAll, TimeoutStrategy, timeout, wrap } from 'cockatiel';
import { perRound, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

/** opossum ships no types; the few members used here. */
interface Opossum {
  fire(): Promise<unknown>;
  shutdown(): void;
}
type OpossumConstructor = new (action: () => Promise<unknown>, options?: Record<string, unknown>) => Opossum;
const OpossumBreaker = createRequire(import.meta.url)('opossum') as OpossumConstructor;

const resolved = (): Promise<number> => Promise.resolve(1);
const readsSignal = (signal: AbortSignal): Promise<number> =>
  signal.aborted ? Promise.reject(signal.reason) : Promise.resolve(1);
const IDLE_BREAKERS = 10_000;
/** Calls per measured op: amortises the harness's per-op timing cost and jitter over many calls. */
const CALLS_PER_OP = 100;
/** Each scenario is measured this many times, interleaved, so drift on a shared machine shows up as spread. */
const ROUNDS = 3;
const SCENARIOS = ['execute, no timeout', 'execute, 10 s timeout'] as const;

const ours = createCircuitBreaker({ name: 'bench' });
const oursTimeout = createCircuitBreaker({ name: 'bench-timeout', timeoutMs: 10_000 });
const oursTimeoutSignal = createCircuitBreaker({ name: 'bench-timeout-signal', timeoutMs: 10_000 });
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

/** ns per call of a subject whose op runs CALLS_PER_OP calls. */
const nsPerCall = (opsPerSec: number): number => 1e9 / opsPerSec / CALLS_PER_OP;

/** Subject names: the summary matches them by prefix, so no name is a prefix of another. */
const FLOOR = 'await resolved() (floor)';
const OURS = '@bulwark/breaker execute';
const OURS_A = '@bulwark/breaker timeoutMs, fn ignores the signal';
const OURS_B = '@bulwark/breaker timeoutMs, fn reads the signal';
const COCKATIEL = 'cockatiel CountBreaker execute';
const COCKATIEL_TIMEOUT = 'cockatiel wrap(timeout, breaker)';
const OPOSSUM = 'opossum fire (timeout: false)';
const OPOSSUM_TIMEOUT = 'opossum fire (defaults: 10 s timeout)';
const BOUND_B = 'bound (b): fn reads new AbortController().signal';

/**
 * Lines under the table: per-call overhead over the floor (ns per call − ns per floor call) and
 * the ratios the issue asks for (ratio = (ours − floor) / (peer − floor)), each computed within
 * one round (same conditions), summarised as the median over the rounds.
 */
function summary(results: readonly BenchResult[]): string[] {
  const overhead = (scenario: string, subject: string): number[] =>
    perRound(results, scenario, (ops) => nsPerCall(ops(subject)) - nsPerCall(ops(FLOOR)));
  const ratio = (scenario: string, mine: string, theirs: string): number[] =>
    perRound(
      results,
      scenario,
      (ops) => (nsPerCall(ops(mine)) - nsPerCall(ops(FLOOR))) / (nsPerCall(ops(theirs)) - nsPerCall(ops(FLOOR))),
    );
  const [plain, timed] = SCENARIOS;
  const lines = [
    `per-call overhead over the floor (${CALLS_PER_OP} calls per op, ${ROUNDS} interleaved rounds; shared machine: read the ratios, not the ns):`,
    `  ${plain}:`,
  ];
  for (const subject of [OURS, COCKATIEL, OPOSSUM]) {
    lines.push(`    ${subject.padEnd(52)} ${spread(overhead(plain, subject), 0)} ns`);
  }
  lines.push(
    `    ours ÷ cockatiel: ${spread(ratio(plain, OURS, COCKATIEL))} (goal ≤ 0.50)`,
    `    ours ÷ opossum:   ${spread(ratio(plain, OURS, OPOSSUM))}`,
    `  ${timed}:`,
  );
  for (const subject of [OURS_A, OURS_B, COCKATIEL_TIMEOUT, OPOSSUM_TIMEOUT, BOUND_B]) {
    lines.push(`    ${subject.padEnd(52)} ${spread(overhead(timed, subject), 0)} ns`);
  }
  lines.push(
    `    (a) ignores the signal ÷ opossum:   ${spread(ratio(timed, OURS_A, OPOSSUM_TIMEOUT))} (goal ≤ 0.50)`,
    `    (b) reads the signal ÷ opossum:     ${spread(ratio(timed, OURS_B, OPOSSUM_TIMEOUT))} (goal ≤ 0.50)`,
    `    bound (b) ÷ opossum:                ${spread(ratio(timed, BOUND_B, OPOSSUM_TIMEOUT))} (one AbortSignal per call, nothing else)`,
    `    (b) ÷ bound (b):                    ${spread(ratio(timed, OURS_B, BOUND_B))}`,
    `    (a) ÷ cockatiel:                    ${spread(ratio(timed, OURS_A, COCKATIEL_TIMEOUT))}`,
    `    (b) ÷ cockatiel:                    ${spread(ratio(timed, OURS_B, COCKATIEL_TIMEOUT))}`,
  );
  return lines;
}

// One loop per subject (no shared helper), so each call site stays monomorphic for its own subject.
function scenario(name: (typeof SCENARIOS)[number], round: number): BenchCase {
  const floor: BenchSubject = {
    name: FLOOR,
    floor: true,
    fn: async () => {
      for (let i = 0; i < CALLS_PER_OP; i++) await resolved();
    },
  };
  const subjects: BenchSubject[] =
    name === 'execute, no timeout'
      ? [
          floor,
          {
            name: OURS,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await ours.execute(resolved);
            },
          },
          {
            name: COCKATIEL,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await cockatielBreaker.execute(resolved);
            },
          },
          {
            name: OPOSSUM,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await opossumNoTimeout.fire();
            },
          },
        ]
      : [
          floor,
          {
            // (a) `() => …` declares no signal parameter: the call gets no AbortSignal of its own.
            name: OURS_A,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await oursTimeout.execute(resolved);
            },
          },
          {
            // (b) `(signal) => …` reads it: the call gets its own AbortSignal, aborted at the deadline.
            name: OURS_B,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await oursTimeoutSignal.execute(readsSignal);
            },
          },
          {
            name: COCKATIEL_TIMEOUT,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await cockatielTimeout.execute(resolved);
            },
          },
          {
            // opossum hands the action no signal: its timeout only rejects the promise.
            name: OPOSSUM_TIMEOUT,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await opossumDefaults.fire();
            },
          },
          {
            // The bound for (b): the same function given a fresh AbortSignal, and nothing of a breaker.
            name: BOUND_B,
            fn: async () => {
              for (let i = 0; i < CALLS_PER_OP; i++) await readsSignal(new AbortController().signal);
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
    oursTimeoutSignal.dispose();
  },
  summary,
};
