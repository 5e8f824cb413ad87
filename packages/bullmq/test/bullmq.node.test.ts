// Real BullMQ on a real Redis (REDIS_URL). BullMQ reads the wall clock itself (delays, locks,
// stalled checks), so this file is the documented exception to injected time: it waits for real,
// in short polls with hard deadlines, and keeps every delay under half a second.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { err } from '@bulwark/errors';
import { redisUrl } from '@bulwark/testing';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BACKOFF_TYPE, createBackoffStrategy } from '../src/backoff-strategy.js';
import { createDeadLetterQueue, type DeadLetterQueue } from '../src/dead-letter-queue.js';
import { createDeadLetterRoutes } from '../src/dead-letter-routes.js';
import type { JobMetrics } from '../src/job-metrics.js';
import { createProcessor } from '../src/processor.js';

const url = redisUrl();
if (!url) throw new Error('REDIS_URL is required for the BullMQ tests');
const connection = new Redis(url, { maxRetriesPerRequest: null });
const prefix = `bulwark-bullmq-test-${process.pid}`;
const cleanups: Array<() => Promise<unknown>> = [];
let counter = 0;

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
afterAll(() => connection.disconnect());

/** Polls `check` every 10 ms until it holds; fails after `deadlineMs` of wall time. */
async function waitFor(check: () => Promise<boolean> | boolean, deadlineMs = 4_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function recording(): { metrics: JobMetrics; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const bump = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  return { metrics: { increment: bump, observe: () => {}, gauge: (name) => bump(name) }, counts };
}

interface Setup {
  queue: Queue;
  dlq: DeadLetterQueue;
  start(handler: (job: Job) => unknown, options?: Parameters<typeof createProcessor>[1]): Worker;
}

function setup(): Setup {
  const name = `q${++counter}`;
  const queue = new Queue(name, { connection, prefix });
  const dlq = createDeadLetterQueue({ queue });
  cleanups.push(async () => {
    await queue.obliterate({ force: true });
    await new Queue(dlq.name, { connection, prefix }).obliterate({ force: true });
    await dlq.close();
    await queue.close();
  });
  return {
    queue,
    dlq,
    start(handler, options) {
      const worker = new Worker(
        name,
        createProcessor(async (job: Job) => handler(job), options),
        {
          connection,
          prefix,
          settings: { backoffStrategy: createBackoffStrategy({ jitter: 'none' }) },
        },
      );
      dlq.attach(worker);
      cleanups.push(() => worker.close());
      return worker;
    },
  };
}

const backoff = { type: BACKOFF_TYPE, delay: 10 };

describe('BullMQ adapter on a real Redis', () => {
  it('dead-letters a non-retryable code after one attempt, with its code and attempts', async () => {
    const { queue, dlq, start } = setup();
    let runs = 0;
    start(() => {
      runs++;
      throw err('validation_failed', { detail: 'amount must be positive' });
    });
    await queue.add('charge', { amount: -1 }, { attempts: 5, backoff });
    await waitFor(async () => (await dlq.stats()).size === 1);
    const stats = await dlq.stats();
    expect(stats.byCode).toEqual({ validation_failed: 1 });
    const [entry] = await new Queue(dlq.name, { connection, prefix }).getWaiting();
    expect(entry?.name).toBe('validation_failed');
    expect(entry?.data).toMatchObject({
      name: 'charge',
      data: { amount: -1 },
      code: 'validation_failed',
      attemptsMade: 1,
      failedReason: '[validation_failed] amount must be positive',
      opts: { attempts: 5, backoff },
    });
    expect(runs).toBe(1);
  });

  it('does not start the next attempt before the wait the error asks for', async () => {
    const { queue, start } = setup();
    const attempts: number[] = [];
    start(() => {
      attempts.push(Date.now());
      if (attempts.length === 1) throw Object.assign(new Error('429'), { retryAfterMs: 300 });
      return 'done';
    });
    const job = await queue.add('call', {}, { attempts: 2, backoff });
    await waitFor(async () => (await queue.getJobState(job.id as string)) === 'completed');
    expect((attempts[1] as number) - (attempts[0] as number)).toBeGreaterThanOrEqual(300);
  });

  it('dead-letters a job whose attempts ran out, counting retries and the final failure', async () => {
    const { queue, dlq, start } = setup();
    const { metrics, counts } = recording();
    const worker = start(
      () => {
        throw new Error('ECONNRESET');
      },
      { metrics },
    );
    // The job reads as failed in Redis before the worker raises its `failed` event, so wait for the
    // event of the final failure (finishedOn set): the DLQ's listener, registered first by `start`,
    // has run by then, and flush() waits for the move it started.
    const finalFailure = new Promise<void>((resolve) => {
      worker.on('failed', (failed) => {
        if (typeof failed?.finishedOn === 'number') resolve();
      });
    });
    await queue.add('call', {}, { attempts: 3, backoff });
    await finalFailure;
    await dlq.flush();
    // Retried attempts are not dead-lettered: exactly one entry, for the final failure.
    expect((await dlq.stats()).size).toBe(1);
    const [entry] = await new Queue(dlq.name, { connection, prefix }).getWaiting();
    expect(entry?.data).toMatchObject({ code: 'internal_error', attemptsMade: 3 });
    expect(counts.get('bullmq.job.retry')).toBe(2);
    expect(counts.get('bullmq.job.failed')).toBe(1);
  });

  it('delays jobs refused by an open breaker without spending their only attempt', async () => {
    const { queue, start } = setup();
    const { createBreakerRegistry } = await import('@bulwark/breaker');
    const breakers = createBreakerRegistry({ openWaitMs: 200 });
    breakers.get(queue.name).forceOpen();
    start(() => 'sent', { breakers, rejectedDelayMs: 100 });
    const job = await queue.add('send', {}, { attempts: 1 });
    await waitFor(async () => (await queue.getJobState(job.id as string)) === 'delayed');
    breakers.get(queue.name).reset();
    await waitFor(async () => (await queue.getJobState(job.id as string)) === 'completed');
  });

  it('mirrors failed jobs once, then requeues by code, by id (concurrently) and all, with fresh attempts', async () => {
    const { queue, dlq } = setup();
    let healthy = false;
    // Not attached: these failures happen while "no process listens", so only mirroring sees them.
    const worker = new Worker(
      queue.name,
      createProcessor(async (job: Job) => {
        if (healthy) return 'ok';
        throw job.data.missing ? err('not_found') : err('validation_failed');
      }),
      { connection, prefix },
    );
    cleanups.push(() => worker.close());
    await queue.addBulk([
      { name: 'a', data: { missing: true }, opts: { attempts: 2 } },
      { name: 'b', data: {}, opts: { attempts: 2 } },
      { name: 'c', data: {}, opts: { attempts: 2 } },
    ]);
    await waitFor(async () => (await queue.getFailedCount()) === 3);
    expect(await dlq.mirrorFailed()).toEqual({ mirrored: 3, alreadyPresent: 0, scanned: 3, next: undefined });
    expect(await dlq.mirrorFailed()).toEqual({ mirrored: 0, alreadyPresent: 3, scanned: 3, next: undefined });
    const deadLetter = new Queue(dlq.name, { connection, prefix });
    await deadLetter.add('validation_failed', { v: 1, tampered: true }, { jobId: 'dl-tampered-1' });
    expect((await dlq.stats()).byCode).toEqual({ not_found: 1, validation_failed: 2, invalid_entry: 1 });

    healthy = true;
    const byCode = await dlq.requeue({ code: 'not_found' });
    expect(byCode.requeued).toHaveLength(1);
    await waitFor(async () => (await queue.getCompletedCount()) === 1);

    const ids = (await deadLetter.getWaiting()).map((job) => job.id as string).filter((id) => id !== 'dl-tampered-1');
    const [one, other] = await Promise.all([
      dlq.requeue({ ids: [ids[0] as string] }),
      dlq.requeue({ ids: [ids[0] as string] }),
    ]);
    expect([...one.requeued, ...other.requeued, ...one.notFound, ...other.notFound]).toEqual(
      expect.arrayContaining([ids[0]]),
    );

    const routes = createDeadLetterRoutes(dlq);
    const response = await routes(
      new Request('http://127.0.0.1/dlq/requeue', { method: 'POST', body: '{"all":true}' }),
    );
    expect(await response?.json()).toMatchObject({ invalid: ['dl-tampered-1'] });
    await waitFor(async () => (await queue.getCompletedCount()) === 3);
    expect(await queue.getFailedCount()).toBe(0);
    expect((await dlq.stats()).size).toBe(1);
    await deadLetter.close();
  });

  it('dead-letters a job whose worker process was killed, through the surviving worker', async () => {
    const { queue, dlq } = setup();
    const job = await queue.add('charge', { amount: 1 }, { attempts: 3 });
    const fixture = fileURLToPath(new URL('./fixtures/hanging-worker.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, url as string, prefix, queue.name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      child.kill('SIGKILL');
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('started')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    child.kill('SIGKILL');
    // The survivor's stalled checker finds the dead lock (maxStalledCount 0: no second chance); the
    // job fails on the survivor, which raises the `failed` event the attached DLQ listens to.
    const survivor = new Worker(
      queue.name,
      createProcessor(async () => 'ok'),
      {
        connection,
        prefix,
        stalledInterval: 100,
        maxStalledCount: 0,
      },
    );
    cleanups.push(() => survivor.close());
    dlq.attach(survivor);
    await waitFor(async () => (await dlq.stats()).size === 1);
    const [entry] = await new Queue(dlq.name, { connection, prefix }).getWaiting();
    expect(entry?.data).toMatchObject({ jobId: job.id, code: 'internal_error', name: 'charge' });
    expect(String((entry?.data as { failedReason?: string } | undefined)?.failedReason)).toContain('stalled');
  });
});
