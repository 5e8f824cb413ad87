import { errorRegistry } from '@bulwark/errors';
import { z } from 'zod/v4';
import { formatFailureReason, parseFailureCode } from './failure-reason.js';
import { FOREIGN_ERROR_CODE } from './job-error-classification.js';

const keep = z.union([
  z.boolean(),
  z.number().int().min(0),
  z.strictObject({ age: z.number().min(0).optional(), count: z.number().int().min(0).optional() }),
]);

/** How many finished jobs BullMQ keeps: `true`/`false`, a count, or an age and count. */
export type KeepJobsOption = boolean | number | { age?: number | undefined; count?: number | undefined };

/** The job options a dead-letter entry keeps and applies again on requeue, so a requeued job behaves as the original. */
export interface RequeueOptions {
  /** Attempts of the requeued job (fresh: BullMQ counts from zero). */
  attempts?: number | undefined;
  /** Backoff: a fixed delay, or `{ type, delay?, jitter? }` (e.g. `{ type: BACKOFF_TYPE }`). */
  backoff?: number | { type: string; delay?: number | undefined; jitter?: number | undefined } | undefined;
  /** Priority (BullMQ's scale: 0 or unset is the default, 1 the highest). */
  priority?: number | undefined;
  /** Last in, first out. */
  lifo?: boolean | undefined;
  /** BullMQ's `removeOnComplete`. */
  removeOnComplete?: KeepJobsOption | undefined;
  /** BullMQ's `removeOnFail`. */
  removeOnFail?: KeepJobsOption | undefined;
}

const REQUEUE_OPTION_KEYS = ['attempts', 'backoff', 'priority', 'lifo', 'removeOnComplete', 'removeOnFail'] as const;

const requeueOptionsSchema: z.ZodType<RequeueOptions> = z.strictObject({
  attempts: z.number().int().min(1).max(1_000_000).optional(),
  backoff: z
    .union([
      z.number().min(0),
      z.strictObject({
        type: z.string().min(1).max(64),
        delay: z.number().min(0).optional(),
        jitter: z.number().min(0).max(1).optional(),
      }),
    ])
    .optional(),
  priority: z.number().int().min(0).max(2_097_152).optional(),
  lifo: z.boolean().optional(),
  removeOnComplete: keep.optional(),
  removeOnFail: keep.optional(),
});

/**
 * The data of a dead-letter job (version 1), parsed strictly whenever it is read back from Redis:
 * where the job came from, what it was, and how it failed. The dead-letter job's name is `code`.
 */
export const deadLetterEntrySchema = z.strictObject({
  v: z.literal(1),
  /** The source queue's name. */
  queue: z.string().min(1).max(512),
  /** The failed job's id in the source queue. */
  jobId: z.string().min(1).max(512),
  /** The failed job's name. */
  name: z.string().max(512),
  /** The failed job's data, as BullMQ stored it. */
  data: z.unknown(),
  /** Options applied again on requeue. */
  opts: requeueOptionsSchema,
  /** The classified error code (a registered code; `internal_error` for unwrapped processors). */
  code: z
    .string()
    .regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/)
    .max(64),
  /** The job's `failedReason` (`[code] message`, secrets masked, at most ~1 000 characters). */
  failedReason: z.string().max(2_000),
  /** Attempts the job made. */
  attemptsMade: z.number().int().min(0),
  /** Epoch ms of the final failure (the job's `finishedOn`). */
  failedAt: z.number().int().min(0),
});

/** One dead-lettered job, as stored in the dead-letter queue. */
export type DeadLetterEntry = z.infer<typeof deadLetterEntrySchema>;

/** The fields of a failed BullMQ job that a dead-letter entry is made from. */
export interface FailedJob {
  /** The job's id. */
  readonly id?: string | undefined;
  /** The job's name. */
  readonly name: string;
  /** The job's data. */
  readonly data: unknown;
  /** The job's options. */
  readonly opts: object;
  /** The source queue's name. */
  readonly queueName: string;
  /** Attempts made (after the final failure). */
  readonly attemptsMade: number;
  /** Why the last attempt failed. */
  readonly failedReason?: string | undefined;
  /** Epoch ms of the final failure; unset while the job may still be retried. */
  readonly finishedOn?: number | undefined;
}

function pick(opts: object): RequeueOptions {
  const picked: Record<string, unknown> = {};
  for (const key of REQUEUE_OPTION_KEYS) {
    const value = (opts as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  const parsed = requeueOptionsSchema.safeParse(picked);
  // Options BullMQ accepted but we cannot vouch for are dropped rather than stored unchecked.
  return parsed.success ? parsed.data : {};
}

function codeOf(error: unknown, failedReason: string | undefined): string {
  const own = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof own === 'string' && errorRegistry().get(own) !== undefined) return own;
  const parsed = parseFailureCode(failedReason);
  return parsed !== undefined && errorRegistry().get(parsed) !== undefined ? parsed : FOREIGN_ERROR_CODE;
}

/**
 * The dead-letter entry of a job that failed for good, or `undefined` when the job has no id or
 * has not finished (it may still be retried). The code is the error's own registered `code`, else
 * the `[code]` prefix of its failure reason, else `internal_error`. @internal
 */
export function toDeadLetterEntry(job: FailedJob, error?: unknown): DeadLetterEntry | undefined {
  if (typeof job.id !== 'string' || job.id === '' || typeof job.finishedOn !== 'number') return undefined;
  const code = codeOf(error, job.failedReason);
  const reason = job.failedReason ?? '';
  return {
    v: 1,
    queue: job.queueName,
    jobId: job.id,
    name: job.name,
    data: job.data,
    opts: pick(job.opts),
    code,
    failedReason: parseFailureCode(reason) === undefined ? formatFailureReason(code, reason) : reason.slice(0, 2_000),
    attemptsMade: job.attemptsMade,
    failedAt: Math.max(0, Math.trunc(job.finishedOn)),
  };
}

/**
 * The dead-letter job id of one failure of one job: the same for the `failed` event and for
 * mirroring, so a failure is dead-lettered once (BullMQ ignores an add with an existing id). `:`
 * is not allowed in custom BullMQ ids and becomes `_`. @internal
 */
export function deadLetterId(entry: Pick<DeadLetterEntry, 'jobId' | 'failedAt'>): string {
  return `dl-${entry.jobId.replaceAll(':', '_')}-${entry.failedAt}`;
}
