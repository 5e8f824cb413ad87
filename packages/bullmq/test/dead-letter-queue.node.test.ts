import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { type DeadLetterEntry, toDeadLetterEntry } from '../src/dead-letter-entry.js';
import { createDeadLetterQueue } from '../src/dead-letter-queue.js';
import type { QueueLike, StoredJob, WorkerLike } from '../src/queue-like.js';

type Fields = Omit<StoredJob, 'remove' | 'getState'>;

/** An in-memory stand-in for a BullMQ queue: ids are unique, `add` ignores a known id, waiting is newest first. */
class FakeQueue implements QueueLike {
  readonly jobs = new Map<string, { fields: Fields; state: string }>();
  closed = false;
  private next = 0;
  constructor(readonly name: string) {}

  put(fields: Partial<Fields>, state: string): StoredJob {
    const id = fields.id ?? String(++this.next);
    const full: Fields = { name: 'job', data: {}, opts: {}, queueName: this.name, attemptsMade: 0, ...fields, id };
    this.jobs.set(id, { fields: full, state });
    return this.view(id) as StoredJob;
  }
  private view(id: string): StoredJob | undefined {
    const record = this.jobs.get(id);
    if (record === undefined) return undefined;
    return {
      ...record.fields,
      remove: async () => {
        if (!this.jobs.delete(id))
          throw new Error(`Job ${id} could not be removed because it is locked by another worker`);
      },
      getState: async () => this.jobs.get(id)?.state ?? 'unknown',
    };
  }
  private list(state: string, start = 0, end = -1): StoredJob[] {
    const ids = [...this.jobs]
      .filter(([, r]) => r.state === state)
      .map(([id]) => id)
      .reverse();
    return ids.slice(start, end < 0 ? undefined : end + 1).map((id) => this.view(id) as StoredJob);
  }
  async add(name: string, data: unknown, opts: { jobId?: string } = {}) {
    if (opts.jobId !== undefined && this.jobs.has(opts.jobId)) return this.view(opts.jobId);
    return this.put({ name, data, opts, ...(opts.jobId === undefined ? {} : { id: opts.jobId }) }, 'waiting');
  }
  getJob = async (id: string) => this.view(id);
  getWaiting = async (start?: number, end?: number) => this.list('waiting', start, end);
  getWaitingCount = async () => this.list('waiting').length;
  getFailed = async (start?: number, end?: number) => this.list('failed', start, end);
  close = async () => {
    this.closed = true;
  };
}

function failedJob(queue: FakeQueue, i: number, code = 'not_found'): StoredJob {
  return queue.put(
    {
      name: `job-${i}`,
      data: { i },
      opts: { attempts: 2 },
      attemptsMade: 2,
      failedReason: `[${code}] x`,
      finishedOn: 1_000 + i,
    },
    'failed',
  );
}

function fakeWorker() {
  let listener: ((job: StoredJob | undefined, error: Error, prev: string) => void) | undefined;
  const worker: WorkerLike = {
    on: (_event, fn) => {
      listener = fn;
    },
    off: (_event, fn) => {
      if (listener === fn) listener = undefined;
    },
  };
  return {
    worker,
    emit: (job: StoredJob | undefined) => listener?.(job, new Error('x'), 'active'),
    listening: () => listener !== undefined,
  };
}

function setup(maxBatch?: number) {
  const source = new FakeQueue('invoices');
  const deadLetter = new FakeQueue('invoices-dlq');
  const dlq = createDeadLetterQueue({
    queue: source,
    deadLetter,
    clock: new FakeClock(5),
    ...(maxBatch === undefined ? {} : { maxBatch }),
  });
  return { source, deadLetter, dlq };
}

describe('createDeadLetterQueue (in-memory queues)', () => {
  it('mirrors a failed set larger than maxBatch through the cursor, maxBatch jobs per call', async () => {
    const { source, dlq } = setup(150);
    for (let i = 0; i < 250; i++) failedJob(source, i, i % 2 === 0 ? 'not_found' : 'conflict');
    const first = await dlq.mirrorFailed();
    expect(first).toEqual({ mirrored: 150, alreadyPresent: 0, scanned: 150, next: 150 });
    expect(await dlq.mirrorFailed({ from: first.next as number })).toEqual({
      mirrored: 100,
      alreadyPresent: 0,
      scanned: 100,
      next: undefined,
    });
    expect(await dlq.mirrorFailed()).toMatchObject({ mirrored: 0, alreadyPresent: 150 });
    await expect(dlq.mirrorFailed({ from: -1 })).rejects.toThrow(/`from`/);
    const stats = await dlq.stats();
    expect(stats).toMatchObject({ size: 250, sampled: 150, takenAtMs: 5 });
    expect(Object.values(stats.byCode).reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('requeues by code past maxBatch entries of other codes, at most maxBatch per call', async () => {
    const { source, dlq } = setup(150);
    for (let i = 0; i < 50; i++) await dlq.add(failedJob(source, i, 'conflict'));
    for (let i = 50; i < 300; i++) await dlq.add(failedJob(source, i, 'not_found'));
    expect((await dlq.requeue({ code: 'conflict' })).requeued).toHaveLength(50);
    expect((await dlq.requeue({ all: true })).requeued).toHaveLength(150);
    expect((await dlq.stats()).size).toBe(100);
  });

  it('requeues by id: unknown ids are notFound, tampered or foreign entries invalid and left in place', async () => {
    const { source, deadLetter, dlq } = setup();
    await dlq.add(failedJob(source, 1));
    const [entry] = await deadLetter.getWaiting();
    deadLetter.put({ id: 'tampered', name: 'not_found', data: { v: 1 } }, 'waiting');
    const foreign = { ...(toDeadLetterEntry(failedJob(new FakeQueue('other'), 9)) as DeadLetterEntry) };
    deadLetter.put({ id: 'foreign', name: 'not_found', data: foreign }, 'waiting');
    const result = await dlq.requeue({
      ids: [entry?.id as string, 'nope', 'tampered', 'foreign', entry?.id as string],
    });
    expect(result).toEqual({ requeued: [entry?.id], notFound: ['nope'], invalid: ['tampered', 'foreign'] });
    expect([...deadLetter.jobs.keys()].sort()).toEqual(['foreign', 'tampered']);
    const requeued = [...source.jobs.values()].filter((r) => r.state === 'waiting');
    expect(requeued.map((r) => [r.fields.name, r.fields.id, r.fields.opts])).toEqual([
      ['job-1', '1-rq1001', { attempts: 2, jobId: '1-rq1001' }],
    ]);
  });

  it('requeues one entry once when two requeues race, and ids stay bounded across cycles', async () => {
    const { source, deadLetter, dlq } = setup();
    await dlq.add(failedJob(source, 1));
    const [entry] = await deadLetter.getWaiting();
    const both = await Promise.all([
      dlq.requeue({ ids: [entry?.id as string] }),
      dlq.requeue({ ids: [entry?.id as string] }),
    ]);
    expect(both.every((r) => r.notFound.length + r.requeued.length === 1)).toBe(true);
    expect([...source.jobs.keys()]).toEqual(['1-rq1001']);
    // The requeued job fails again: its next requeue id does not grow.
    source.jobs.set('1-rq1001', {
      fields: { ...(source.jobs.get('1-rq1001')?.fields as Fields), failedReason: '[conflict] y', finishedOn: 2_000 },
      state: 'failed',
    });
    await dlq.mirrorFailed();
    expect((await dlq.requeue({ code: 'conflict' })).requeued).toEqual(['dl-1-rq1001-2000']);
    expect([...source.jobs.keys()]).toEqual(['1-rq2000']);
  });

  it('moves only jobs that failed for good, reports move errors to onError, and flushes before close', async () => {
    const source = new FakeQueue('invoices');
    const errors: unknown[] = [];
    const broken = new FakeQueue('invoices-dlq');
    broken.add = async () => {
      throw new Error('READONLY');
    };
    const dlq = createDeadLetterQueue({ queue: source, deadLetter: broken, onError: (error) => errors.push(error) });
    const { worker, emit, listening } = fakeWorker();
    const detach = dlq.attach(worker);
    emit(undefined);
    emit(source.put({ attemptsMade: 1, failedReason: '[conflict] retry me' }, 'delayed'));
    emit(failedJob(source, 2));
    await dlq.flush();
    expect(errors).toHaveLength(1);
    detach();
    expect(listening()).toBe(false);
    await dlq.close();
    expect(broken.closed).toBe(false);
  });

  it('survives an onError hook that throws', async () => {
    const source = new FakeQueue('invoices');
    const broken = new FakeQueue('invoices-dlq');
    broken.getJob = async () => {
      throw new Error('down');
    };
    const dlq = createDeadLetterQueue({
      queue: source,
      deadLetter: broken,
      onError: () => {
        throw new Error('hook bug');
      },
    });
    const { worker, emit } = fakeWorker();
    dlq.attach(worker);
    emit(failedJob(source, 1));
    await expect(dlq.close()).resolves.toBeUndefined();
  });

  it('rejects invalid options, naming them', () => {
    const queue = new FakeQueue('q');
    expect(() => createDeadLetterQueue({ queue: {} as never })).toThrow(/`queue`/);
    expect(() => createDeadLetterQueue({ queue, deadLetter: queue, maxBatch: 0 })).toThrow(/`maxBatch`/);
    expect(() => createDeadLetterQueue({ queue, deadLetter: queue, onError: 1 as never })).toThrow(/`onError`/);
    expect(() => createDeadLetterQueue({ queue, deadLetter: {} as never })).toThrow(/`deadLetter.getJob`/);
    expect(() => createDeadLetterQueue({ queue, deadLetter: queue, metrics: null as never })).toThrow(/`metrics`/);
    expect(() => createDeadLetterQueue({ queue, deadLetter: queue, clock: { now: 'x' } as never })).toThrow(
      /`clock.now`/,
    );
  });
});
