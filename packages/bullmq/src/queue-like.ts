/** The fields of a BullMQ job the dead-letter queue reads (`Job` and `JobBase` of bullmq 5 and 6). */
export interface StoredJob {
  /** The job's id. */
  readonly id?: string | undefined;
  /** The job's name. */
  readonly name: string;
  /** The job's data. */
  readonly data: unknown;
  /** The job's options. */
  readonly opts: object;
  /** The queue's name. */
  readonly queueName: string;
  /** Attempts made. */
  readonly attemptsMade: number;
  /** Why the last attempt failed. */
  readonly failedReason?: string | undefined;
  /** Epoch ms the job finished (completed or failed for good). */
  readonly finishedOn?: number | undefined;
  /** Removes the job from Redis. */
  remove(): Promise<void>;
  /** The job's state (`'failed'`, `'waiting'`, …). */
  getState(): Promise<string>;
}

/** The parts of a BullMQ `Queue` the dead-letter queue uses. */
export interface QueueLike {
  /** The queue's name. */
  readonly name: string;
  /** Options the queue was created with (a default dead-letter queue reuses its connection and prefix). */
  readonly opts?: { readonly connection?: unknown; readonly prefix?: string | undefined } | undefined;
  /** Adds a job; a job id that exists already is ignored by BullMQ. */
  add(name: string, data: unknown, opts?: object): Promise<unknown>;
  /** The job with this id, if it exists. */
  getJob(id: string): Promise<StoredJob | undefined>;
  /** Waiting jobs between two indexes (inclusive). */
  getWaiting(start?: number, end?: number): Promise<StoredJob[]>;
  /** How many jobs are waiting. */
  getWaitingCount(): Promise<number>;
  /** Failed jobs between two indexes (inclusive), newest first. */
  getFailed(start?: number, end?: number): Promise<StoredJob[]>;
  /** Closes the queue's connections. */
  close(): Promise<void>;
}

/** The part of a BullMQ `Worker` that {@link DeadLetterQueue.attach} listens to. */
export interface WorkerLike {
  /** Subscribes to `failed` (BullMQ emits it after every failed attempt). */
  on(event: 'failed', listener: (job: StoredJob | undefined, error: Error, prev: string) => void): unknown;
  /** Unsubscribes. */
  off(event: 'failed', listener: (job: StoredJob | undefined, error: Error, prev: string) => void): unknown;
}
