import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type BreakerRegistry, type CircuitBreaker, createBreakerRegistry } from '@bulwark/breaker';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

/** Registry sizes: the scaling row compares the largest to the smallest. */
const SIZES = [10, 10_000] as const;
/** Calls per measured op, each to the next breaker in turn (so a large registry touches every entry). */
const CALLS_PER_OP = 100;
const ROUNDS = 3;
const SCENARIO = 'execute through the registry';

const resolved = (): Promise<number> => Promise.resolve(1);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Fleet {
  readonly registry: BreakerRegistry;
  readonly names: readonly string[];
  /** The same breakers, held directly: no lookup, same memory footprint. */
  readonly held: readonly CircuitBreaker[];
}

function fleet(size: number): Fleet {
  const registry = createBreakerRegistry();
  const names = Array.from({ length: size }, (_, i) => `dependency-${i}.example.com`);
  const held = names.map((name) => registry.get(name));
  return { registry, names, held };
}

const fleets = new Map<number, Fleet>();

/** `registry.get(name).execute(fn)` rotating over every name, vs the same breakers held in an array. */
function scenario(round: number): BenchCase {
  const subjects: BenchSubject[] = [];
  for (const size of SIZES) {
    const { registry, names, held } = fleets.get(size) as Fleet;
    let h = 0;
    let r = 0;
    subjects.push(
      {
        name: `held breaker, ${size.toLocaleString('en')} breakers${size === SIZES[0] ? ' (floor)' : ''}`,
        ...(size === SIZES[0] ? { floor: true } : {}),
        fn: async () => {
          for (let i = 0; i < CALLS_PER_OP; i++) {
            await (held[h] as CircuitBreaker).execute(resolved);
            h = h + 1 === held.length ? 0 : h + 1;
          }
        },
      },
      {
        name: `registry.get, ${size.toLocaleString('en')} breakers`,
        fn: async () => {
          for (let i = 0; i < CALLS_PER_OP; i++) {
            await registry.get(names[r] as string).execute(resolved);
            r = r + 1 === names.length ? 0 : r + 1;
          }
        },
      },
    );
  }
  return { name: roundName(SCENARIO, round, ROUNDS), subjects: subjects.map((s) => ({ ...s, setup: () => gc() })) };
}

const nsPerCall = (ops: number): number => 1e9 / ops / CALLS_PER_OP;

/** Registry lookup cost per call at 10 and 10,000 breakers, and how the per-call cost grows. */
export const suite: BenchSuite = {
  name: 'breaker-registry',
  description: `a closed breaker reached through \`registry.get(name)\` at ${SIZES.map((s) => s.toLocaleString('en')).join(' / ')} breakers, ${CALLS_PER_OP} calls per op rotating over every name, versus the same breakers held directly`,
  cases: () => {
    for (const size of SIZES) fleets.set(size, fleet(size));
    const cases: BenchCase[] = [];
    for (let round = 1; round <= ROUNDS; round++) cases.push(scenario(round));
    return cases;
  },
  dispose: () => {
    for (const { registry } of fleets.values()) registry.dispose();
  },
  summary: (results: readonly BenchResult[]) => {
    const [small, large] = SIZES.map((s) => s.toLocaleString('en')) as [string, string];
    const lookup = (size: string) =>
      perRound(
        results,
        SCENARIO,
        (ops) => nsPerCall(ops(`registry.get, ${size} `)) - nsPerCall(ops(`held breaker, ${size} `)),
      );
    const perCall = (prefix: string) => perRound(results, SCENARIO, (ops) => nsPerCall(ops(prefix)));
    return [
      `ns per call (${ROUNDS} interleaved rounds):`,
      `  registry.get + execute, ${small}: ${spread(perCall(`registry.get, ${small} `), 0)}`,
      `  registry.get + execute, ${large}: ${spread(perCall(`registry.get, ${large} `), 0)}`,
      `  lookup alone (registry − held), ${small}: ${spread(lookup(small), 0)}`,
      `  lookup alone (registry − held), ${large}: ${spread(lookup(large), 0)}`,
      `per-call time, ${large} ÷ ${small} through the registry: ${spread(
        perRound(results, SCENARIO, (ops) => ops(`registry.get, ${small} `) / ops(`registry.get, ${large} `)),
      )}`,
      `per-call time, ${large} ÷ ${small} held directly (cache effects alone): ${spread(
        perRound(results, SCENARIO, (ops) => ops(`held breaker, ${small} `) / ops(`held breaker, ${large} `)),
      )}`,
    ];
  },
};
