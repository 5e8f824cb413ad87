import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMemoryStore, createRateLimiter } from '@bulwark/ratelimit';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

/** Live keys per limiter; BENCH_RATELIMIT_KEYS (comma-separated) overrides, e.g. `10,10000`. */
const SIZES = (process.env.BENCH_RATELIMIT_KEYS ?? '10,10000,1000000').split(',').map(Number);
const ROUNDS = 3;
/** Never denies and never expires during the run, so every key stays live. */
const POLICY = { limit: 1_000_000_000, windowMs: 3_600_000 };
const noop = (): void => {};
const quiet = { warn: noop };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const label = (size: number): string => `${size.toLocaleString('en')} keys`;

interface Limiters {
  readonly keys: readonly string[];
  readonly ours: ReturnType<typeof createRateLimiter>;
  readonly theirs: RateLimiterMemory;
  readonly counts: Map<string, number>;
}

const limiters = new Map<number, Limiters>();
const bytesPerKey: string[] = [];

/** JS heap plus memory outside it (a typed array's backing store is not on the JS heap). */
function heap(): number {
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/**
 * Builds both limiters for `size` keys and fills them with one decision per key, measuring the heap
 * growth per key after a full GC (the key strings themselves exist before the first reading).
 */
async function fill(size: number): Promise<Limiters> {
  const keys = Array.from({ length: size }, (_, i) => `user:${i}`);
  let before = heap();
  const ours = createRateLimiter({ ...POLICY, store: createMemoryStore({ maxKeys: size }), logger: quiet });
  for (const key of keys) await ours.limit(key);
  const oursBytes = (heap() - before) / size;
  before = heap();
  const theirs = new RateLimiterMemory({ points: POLICY.limit, duration: POLICY.windowMs / 1000 });
  for (const key of keys) await theirs.consume(key);
  const theirsBytes = (heap() - before) / size;
  before = heap();
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, 1);
  const mapBytes = (heap() - before) / size;
  bytesPerKey.push(
    `  ${label(size).padEnd(18)} @bulwark/ratelimit ${oursBytes.toFixed(0).padStart(6)}  rate-limiter-flexible ${theirsBytes.toFixed(0).padStart(6)}  Map<string, number> ${mapBytes.toFixed(0).padStart(5)}  (ours ÷ theirs ${(oursBytes / theirsBytes).toFixed(2)})`,
  );
  return { keys, ours, theirs, counts };
}

function rotating(keys: readonly string[]): () => string {
  let i = 0;
  return () => {
    const key = keys[i] as string;
    i = i + 1 === keys.length ? 0 : i + 1;
    return key;
  };
}

function scenario(size: number, round: number): BenchCase {
  const { keys, ours, theirs, counts } = limiters.get(size) as Limiters;
  const nextFloor = rotating(keys);
  const nextOurs = rotating(keys);
  const nextTheirs = rotating(keys);
  const subjects: BenchSubject[] = [
    { name: 'Map counter (floor)', floor: true, fn: () => counts.set(nextFloor(), 1) },
    { name: '@bulwark/ratelimit memory', fn: () => ours.limit(nextOurs()) },
    { name: 'rate-limiter-flexible memory', fn: () => theirs.consume(nextTheirs()).catch(noop) },
  ];
  return {
    name: roundName(`memory allow, ${label(size)}`, round, ROUNDS),
    subjects: subjects.map((s) => ({ ...s, setup: () => gc() })),
  };
}

/** Memory limiter decisions/s and heap bytes per key as the number of live keys grows. */
export const suite: BenchSuite = {
  name: 'ratelimit-keys',
  description: `memory limiters holding ${SIZES.map(label).join(' / ')} live keys (1-hour window, allow path), each decision on the next key in turn; ${ROUNDS} interleaved rounds`,
  cases: async () => {
    for (const size of SIZES) limiters.set(size, await fill(size));
    console.log('bytes per live key (heap + external after a full GC, one decision per key):');
    for (const line of bytesPerKey) console.log(line);
    const cases: BenchCase[] = [];
    for (let round = 1; round <= ROUNDS; round++) for (const size of SIZES) cases.push(scenario(size, round));
    return cases;
  },
  summary: (results: readonly BenchResult[]) => {
    const smallest = label(SIZES[0] as number);
    const lines = [`ratios within each round (${ROUNDS} interleaved rounds):`];
    for (const size of SIZES) {
      const name = `memory allow, ${label(size)}`;
      lines.push(
        `  ${label(size)}: ours ÷ rate-limiter-flexible ${spread(
          perRound(results, name, (ops) => ops('@bulwark/ratelimit') / ops('rate-limiter-flexible')),
        )}`,
      );
    }
    // Across cases: the same subject's decisions/s at the largest size over the smallest, per round.
    for (const subject of ['@bulwark/ratelimit', 'rate-limiter-flexible']) {
      for (const size of SIZES.slice(1)) {
        const ratios: number[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const at = (n: number) =>
            results.find(
              (r) => r.case === roundName(`memory allow, ${label(n)}`, round, ROUNDS) && r.subject.startsWith(subject),
            )?.opsPerSec ?? Number.NaN;
          const ratio = at(size) / at(SIZES[0] as number);
          if (Number.isFinite(ratio)) ratios.push(ratio);
        }
        lines.push(`  ${subject}, ${label(size)} ÷ ${smallest}: ${spread(ratios)}`);
      }
    }
    return lines;
  },
};
