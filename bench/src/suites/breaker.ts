import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCircuitBreaker } from '@bulwark/breaker';
import { CountBreaker, circuitBreaker, handleAll, TimeoutStrategy, timeout, wrap } from 'cockatiel';
import type { BenchSuite } from '../suite.js';

/** opossum ships no types; the few members used here. */
interface Opossum {
  fire(): Promise<unknown>;
  shutdown(): void;
}
type OpossumConstructor = new (action: () => Promise<unknown>, options?: Record<string, unknown>) => Opossum;
const OpossumBreaker = createRequire(import.meta.url)('opossum') as OpossumConstructor;

const resolved = (): Promise<number> => Promise.resolve(1);
const IDLE_BREAKERS = 10_000;

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

/** After the run, prints per-call overhead over the floor and the ratios the issue asks for. */
function printOverheadRatios(): void {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results', 'breaker.json');
  if (!existsSync(file)) return;
  const results = JSON.parse(readFileSync(file, 'utf8')) as Array<{ case: string; subject: string; opsPerSec: number }>;
  console.log('\nper-call overhead over the floor (ns = 1e9/ops − 1e9/floor ops):');
  for (const name of new Set(results.map((r) => r.case))) {
    const rows = results.filter((r) => r.case === name);
    const floor = rows.find((r) => r.subject.includes('(floor)'));
    if (!floor) continue;
    const overhead = (ops: number): number => 1e9 / ops - 1e9 / floor.opsPerSec;
    const find = (prefix: string) => rows.find((r) => r.subject.startsWith(prefix));
    const us = find('@bulwark/breaker');
    console.log(`  ${name}:`);
    for (const row of rows.filter((r) => r !== floor)) {
      console.log(`    ${row.subject.padEnd(34)} ${overhead(row.opsPerSec).toFixed(0).padStart(6)} ns`);
    }
    const c = find('cockatiel');
    const o = find('opossum');
    if (us && c)
      console.log(
        `    ours / cockatiel overhead: ${(overhead(us.opsPerSec) / overhead(c.opsPerSec)).toFixed(2)} (goal ≤ 0.50)`,
      );
    if (us && o)
      console.log(`    ours / opossum overhead:   ${(overhead(us.opsPerSec) / overhead(o.opsPerSec)).toFixed(2)}`);
  }
}

/** Per-call overhead of a closed breaker on a resolved call, and the idle cost of 10,000 breakers. */
export const suite: BenchSuite = {
  name: 'breaker',
  description: 'a closed breaker around an already-resolved async call, versus a bare await (the floor)',
  cases: () => {
    printIdleCosts();
    process.once('exit', printOverheadRatios);
    return [
      {
        name: 'execute, no timeout',
        subjects: [
          { name: 'await resolved() (floor)', floor: true, fn: async () => await resolved() },
          { name: '@bulwark/breaker execute', fn: async () => await ours.execute(resolved) },
          { name: 'cockatiel CountBreaker execute', fn: async () => await cockatielBreaker.execute(resolved) },
          { name: 'opossum fire (timeout: false)', fn: async () => await opossumNoTimeout.fire() },
        ],
      },
      {
        name: 'execute, 10 s timeout',
        subjects: [
          { name: 'await resolved() (floor)', floor: true, fn: async () => await resolved() },
          { name: '@bulwark/breaker timeoutMs', fn: async () => await oursTimeout.execute(resolved) },
          { name: 'cockatiel wrap(timeout, breaker)', fn: async () => await cockatielTimeout.execute(resolved) },
          { name: 'opossum fire (defaults)', fn: async () => await opossumDefaults.fire() },
        ],
      },
    ];
  },
  dispose: () => {
    opossumNoTimeout.shutdown();
    opossumDefaults.shutdown();
    ours.dispose();
    oursTimeout.dispose();
  },
};
