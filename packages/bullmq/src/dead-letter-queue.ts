import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import { Queue } from 'bullmq';
import { type DeadLetterEntry, deadLetterEntrySchema, deadLetterId, toDeadLetterEntry } from './dead-letter-entry.js';
import type {
  DeadLetterStats,
  MirrorOptions,
  MirrorResult,
  RequeueResult,
  RequeueSelector,
} from './dead-letter-results.js';
import { assertMethods } from './internal/assert-methods.js';
import { safeMetrics } from './internal/safe-metrics.js';
import { type JobMetrics, noopJobMetrics } from './job-metrics.js';
import type { QueueLike, StoredJob, WorkerLike } from './queue-like.js';

/** Options of {@link createDeadLetterQueue}. Validated once. */
export interface DeadLetterQueueOptions {
  /** The source queue: failed jobs are read from it and requeued into it. */
  readonly queue: QueueLike;
  /**
   * The dead-letter queue (a BullMQ `Queue` no worker consumes). Default: a queue named
   * `<queue>-dlq` on the source queue's connection and prefix, closed by `close()`.
   */
  readonly deadLetter?: QueueLike | undefined;
  /**
   * Most entries one `requeue` takes, failed jobs one `mirrorFailed` reads and entries `stats`
   * counts per code. Default `1_000`, at most `100_000`.
   */
  readonly maxBatch?: number | undefined;
  /** DLQ counters and the `bullmq.dlq.size` gauge (see {@link JobMetrics}). Default: none. */
  readonly metrics?: JobMetrics | undefined;
  /** Called with errors of moves started by `attach` (they never reach BullMQ). Default: ignored. */
  readonly onError?: ((error: unknown) => void) | undefined;
  /** Time source for `stats().takenAtMs`. Default: wall clock. */
  readonly clock?: Clock | undefined;
}

/** A dead-letter queue for one BullMQ queue. Created by {@link createDeadLetterQueue}. */
export interface DeadLetterQueue {
  /** The source queue's name. */
  readonly queue: string;
  /** The dead-letter queue's name. */
  readonly name: string;
  /** Dead-letters every job that fails for good on `worker`; returns the unsubscribe function. */
  attach(worker: WorkerLike): () => void;
  /** Dead-letters one job that failed for good; `false` when it has not (it may still be retried) or was already. */
  add(job: StoredJob, error?: unknown): Promise<boolean>;
  /** Size, counts per error code and the oldest failure; sets the `bullmq.dlq.size` gauge. */
  stats(): Promise<DeadLetterStats>;
  /** Moves entries back to the source queue with fresh attempts. */
  requeue(selector: RequeueSelector): Promise<RequeueResult>;
  /**
   * Dead-letters failed jobs of the source queue that are not in the DLQ yet: `maxBatch` of them,
   * newest first, from index `from` of the failed set (default 0). Call again with the returned
   * `next` until it is `undefined` to cover a failed set larger than `maxBatch`.
   */
  mirrorFailed(options?: MirrorOptions): Promise<MirrorResult>;
  /** Resolves once the moves `attach` started so far have settled (before reading `stats()` in a test or at shutdown). */
  flush(): Promise<void>;
  /** Waits for moves started by `attach`, then closes the default dead-letter queue. */
  close(): Promise<void>;
}

const PAGE = 100;

/**
 * The id of a requeued job: the original id (any earlier `-rq<ms>` suffix dropped, so ids do not
 * grow across cycles) plus the failure time. Deterministic, so requeueing one entry twice (a crash
 * between the add and the removal) adds one job.
 */
function requeuedId(entry: DeadLetterEntry): string {
  return `${entry.jobId.replace(/-rq\d+$/, '').replaceAll(':', '_')}-rq${entry.failedAt}`;
}

function parseEntry(job: StoredJob): DeadLetterEntry | undefined {
  const parsed = deadLetterEntrySchema.safeParse(job.data);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Creates the dead-letter queue of a BullMQ queue. {@link DeadLetterQueue.attach} moves each job
 * that failed for good (attempts exhausted, or a non-retryable code) into a BullMQ queue named
 * `<queue>-dlq`, as a job named after its error code whose data keeps the original name, data,
 * options, code, failure reason and attempts. {@link DeadLetterQueue.mirrorFailed} catches up on
 * failures no process saw; {@link DeadLetterQueue.requeue} puts entries back with fresh attempts.
 * Every entry is parsed strictly when read back. One failure is dead-lettered once (a
 * deterministic id per job and failure time), and one entry is requeued once.
 *
 * @param options - Source queue, dead-letter queue, batch cap, metrics, error hook, clock.
 * @throws {TypeError | RangeError} when an option is invalid, naming it.
 * @example
 * ```ts
 * const dlq = createDeadLetterQueue({ queue: new Queue('invoices', { connection }) });
 * dlq.attach(worker);
 * console.log(await dlq.stats()); // { size: 0, byCode: {}, ... }
 * ```
 */
export function createDeadLetterQueue(options: DeadLetterQueueOptions): DeadLetterQueue {
  const { queue } = options;
  if (typeof queue?.getFailed !== 'function') throw new TypeError('Expected `queue` to be a BullMQ Queue');
  const maxBatch = options.maxBatch ?? 1_000;
  assertNumberOption('maxBatch', maxBatch, { min: 1, max: 100_000, integer: true });
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError(`Expected \`onError\` to be a function, got ${typeof options.onError}`);
  }
  assertMethods('deadLetter', options.deadLetter, ['getJob', 'add', 'getWaiting', 'getWaitingCount', 'close']);
  assertMethods('metrics', options.metrics, ['increment', 'observe', 'gauge']);
  assertMethods('clock', options.clock, ['now']);
  const ownsDeadLetter = options.deadLetter === undefined;
  const deadLetter =
    options.deadLetter ??
    (new Queue(`${queue.name}-dlq`, {
      connection: queue.opts?.connection as never,
      ...(queue.opts?.prefix === undefined ? {} : { prefix: queue.opts.prefix }),
    }) as unknown as QueueLike);
  const metrics = safeMetrics(options.metrics ?? noopJobMetrics);
  const clock = options.clock ?? systemClock;
  const inFlight = new Set<Promise<unknown>>();
  const labels = { queue: queue.name };

  async function add(job: StoredJob, error?: unknown): Promise<boolean> {
    const entry = toDeadLetterEntry(job, error);
    if (entry === undefined) return false;
    const id = deadLetterId(entry);
    if ((await deadLetter.getJob(id)) !== undefined) return false;
    await deadLetter.add(entry.code, entry, { jobId: id });
    metrics.increment('bullmq.dlq.moved', { ...labels, code: entry.code });
    return true;
  }

  /** Visits dead-letter jobs, newest first, a page at a time, until `visit` returns `false` or none are left. */
  async function scan(visit: (job: StoredJob) => boolean): Promise<void> {
    for (let start = 0; ; start += PAGE) {
      const page = await deadLetter.getWaiting(start, start + PAGE - 1);
      for (const job of page) if (!visit(job)) return;
      if (page.length < PAGE) return;
    }
  }

  /** Removes `job`; a job that is gone already (a concurrent requeue removed it) is not an error. */
  async function removeIfPresent(owner: QueueLike, job: StoredJob): Promise<void> {
    try {
      await job.remove();
    } catch (error) {
      if (job.id === undefined || (await owner.getJob(job.id)) !== undefined) throw error;
    }
  }

  async function requeueOne(job: StoredJob, entry: DeadLetterEntry): Promise<void> {
    const source = await queue.getJob(entry.jobId);
    // The failed original goes first, so mirroring cannot dead-letter it again.
    if (source !== undefined && source.finishedOn === entry.failedAt && (await source.getState()) === 'failed') {
      await removeIfPresent(queue, source);
    }
    await queue.add(entry.name, entry.data, { ...entry.opts, jobId: requeuedId(entry) });
    await removeIfPresent(deadLetter, job);
    metrics.increment('bullmq.dlq.requeued', labels);
  }

  async function requeue(selector: RequeueSelector): Promise<RequeueResult> {
    const requeued: string[] = [];
    const notFound: string[] = [];
    const invalid: string[] = [];
    const picked: StoredJob[] = [];
    if ('ids' in selector) {
      for (const id of new Set(selector.ids)) {
        const job = await deadLetter.getJob(id);
        if (job === undefined) notFound.push(id);
        else picked.push(job);
      }
    } else {
      const code = 'code' in selector ? selector.code : undefined;
      // Reads past entries of other codes (and invalid ones) until `maxBatch` are picked.
      await scan((job) => {
        if (code === undefined || job.name === code) picked.push(job);
        return picked.length < maxBatch;
      });
    }
    for (const job of picked) {
      const id = job.id ?? '';
      const entry = parseEntry(job);
      if (entry === undefined || entry.queue !== queue.name) {
        invalid.push(id);
        continue;
      }
      await requeueOne(job, entry);
      requeued.push(id);
    }
    return { requeued, notFound, invalid };
  }

  async function stats(): Promise<DeadLetterStats> {
    const size = await deadLetter.getWaitingCount();
    const byCode: Record<string, number> = {};
    let oldestFailedAt: number | undefined;
    let sampled = 0;
    await scan((job) => {
      const entry = parseEntry(job);
      const code = entry?.code ?? 'invalid_entry';
      byCode[code] = (byCode[code] ?? 0) + 1;
      if (entry !== undefined) oldestFailedAt = Math.min(oldestFailedAt ?? entry.failedAt, entry.failedAt);
      return ++sampled < maxBatch;
    });
    metrics.gauge('bullmq.dlq.size', size, labels);
    return Object.freeze({
      queue: queue.name,
      deadLetterQueue: deadLetter.name,
      size,
      byCode: Object.freeze(byCode),
      sampled,
      oldestFailedAt,
      takenAtMs: clock.now(),
    });
  }

  async function mirrorFailed(options: MirrorOptions = {}): Promise<MirrorResult> {
    const from = options.from ?? 0;
    assertNumberOption('from', from, { min: 0, integer: true });
    let mirrored = 0;
    let alreadyPresent = 0;
    let scanned = 0;
    let exhausted = false;
    while (scanned < maxBatch && !exhausted) {
      const want = Math.min(PAGE, maxBatch - scanned);
      const page = await queue.getFailed(from + scanned, from + scanned + want - 1);
      exhausted = page.length < want;
      for (const job of page) {
        scanned++;
        if (await add(job)) mirrored++;
        else alreadyPresent++;
      }
    }
    return { mirrored, alreadyPresent, scanned, next: exhausted ? undefined : from + scanned };
  }

  async function flush(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  function track(promise: Promise<unknown>): void {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  }

  return {
    queue: queue.name,
    name: deadLetter.name,
    attach(worker) {
      const listener = (job: StoredJob | undefined, error: Error) => {
        if (job === undefined) return;
        track(
          add(job, error).catch((failure: unknown) => {
            try {
              options.onError?.(failure);
            } catch {
              // The hook's own failure has nowhere else to go.
            }
          }),
        );
      };
      worker.on('failed', listener);
      return () => {
        worker.off('failed', listener);
      };
    },
    add,
    stats,
    requeue,
    mirrorFailed,
    flush,
    async close() {
      await flush();
      if (ownsDeadLetter) await deadLetter.close();
    },
  };
}
