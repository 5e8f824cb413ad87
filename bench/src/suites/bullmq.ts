import { BACKOFF_TYPE, createBackoffStrategy, createProcessor } from '@bulwark/bullmq';
import { err } from '@bulwark/errors';
import { type Job, Queue, Worker } from 'bullmq';
import type { BenchCase, BenchSubject, BenchSuite } from '../suite.js';

const BATCH = 200;
const CONCURRENCY = 16;
/** Each case is measured this many times, interleaved, so drift on a shared machine shows up as spread. */
const ROUNDS = 3;

const job = {
  // A stand-in for the Job BullMQ hands the processor (only the fields the wrapper reads).
  id: '1',
  name: 'charge',
  queueName: 'bench',
  attemptsMade: 0,
  opts: { attempts: 3 },
  data: { n: 21 },
  moveToDelayed: async () => {},
} as unknown as Job<{ n: number }>;
const bare = async (j: Job<{ n: number }>) => j.data.n * 2;
const wrapped = createProcessor(bare);
const invalid = err('validation_failed', { detail: 'amount must be positive' });
const bareFailing = async (_job: Job): Promise<never> => {
  throw invalid;
};
const wrappedFailing = createProcessor(bareFailing);
const swallow = () => undefined;

const closers: Array<() => Promise<void>> = [];

/** A queue and a worker on it; each op adds BATCH jobs in one addBulk and waits for all to complete. */
function throughBullmq(redisUrl: string, name: string, processor: (job: Job) => Promise<unknown>, settings = {}) {
  const { hostname, port } = new URL(redisUrl);
  const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
  const prefix = `bulwark-bench-bullmq:${process.pid}`;
  const queue = new Queue(name, { connection, prefix });
  const worker = new Worker(name, processor, { connection, prefix, concurrency: CONCURRENCY, settings });
  let pending = 0;
  let wake: (() => void) | undefined;
  worker.on('completed', () => {
    if (--pending === 0) wake?.();
  });
  closers.push(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return async () => {
    pending = BATCH;
    const done = new Promise<void>((resolve) => {
      wake = resolve;
    });
    await queue.addBulk(
      Array.from({ length: BATCH }, (_, i) => ({
        name: 'charge',
        data: { n: i },
        opts: { attempts: 3, backoff: { type: BACKOFF_TYPE, delay: 1_000 }, removeOnComplete: true },
      })),
    );
    await done;
  };
}

export const suite: BenchSuite = {
  name: 'bullmq',
  description: `@bulwark/bullmq createProcessor against a bare BullMQ processor: one call in-process (success and a non-retryable failure), and ${BATCH} jobs through a real BullMQ worker when REDIS_URL is set`,
  cases() {
    const cases: BenchCase[] = [];
    const redisUrl = process.env.REDIS_URL;
    const redisSubjects: BenchSubject[] | undefined = redisUrl
      ? [
          { name: 'bare BullMQ processor (floor)', floor: true, fn: throughBullmq(redisUrl, 'bench-bare', bare) },
          {
            name: '@bulwark/bullmq createProcessor',
            fn: throughBullmq(redisUrl, 'bench-wrapped', wrapped, { backoffStrategy: createBackoffStrategy() }),
          },
        ]
      : undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      cases.push({
        name: `one job, success (round ${round})`,
        subjects: [
          { name: 'bare processor (floor)', floor: true, fn: () => bare(job) },
          { name: '@bulwark/bullmq createProcessor', fn: () => wrapped(job, 'token') },
        ],
      });
      cases.push({
        name: `one job, non-retryable failure (round ${round})`,
        subjects: [
          { name: 'bare processor (floor)', floor: true, fn: () => bareFailing(job).catch(swallow) },
          { name: '@bulwark/bullmq createProcessor', fn: () => wrappedFailing(job, 'token').catch(swallow) },
        ],
      });
      if (redisSubjects) cases.push({ name: `${BATCH} jobs through BullMQ (round ${round})`, subjects: redisSubjects });
    }
    return cases;
  },
  summary(results) {
    const lines: string[] = [];
    for (const scenario of ['one job, success', 'one job, non-retryable failure', `${BATCH} jobs through BullMQ`]) {
      const ratios = results
        .filter((r) => r.case.startsWith(scenario) && r.subject === '@bulwark/bullmq createProcessor')
        .map((r) => r.ratioToFloor)
        .sort((a, b) => a - b);
      if (ratios.length === 0) continue;
      const median = ratios[Math.floor(ratios.length / 2)];
      lines.push(
        `${scenario}: createProcessor at ${median}× the bare processor's ops/s (median of rounds ${ratios.join(', ')})`,
      );
    }
    return lines;
  },
  async dispose() {
    for (const close of closers.splice(0)) await close();
  },
};
