/** What `DeadLetterQueue.stats()` reports. */
export interface DeadLetterStats {
  /** The source queue. */
  readonly queue: string;
  /** The dead-letter queue. */
  readonly deadLetterQueue: string;
  /** Jobs in the dead-letter queue (exact). */
  readonly size: number;
  /** Entries per error code among the newest `sampled` entries. */
  readonly byCode: Readonly<Record<string, number>>;
  /** How many entries `byCode` counts (all of them when `size <= maxBatch`). */
  readonly sampled: number;
  /** Epoch ms of the oldest failure among the sampled entries, if any. */
  readonly oldestFailedAt: number | undefined;
  /** Epoch ms when the stats were taken. */
  readonly takenAtMs: number;
}

/** Which dead-letter entries `DeadLetterQueue.requeue()` takes: by id, by error code, or all. */
export type RequeueSelector = { readonly ids: readonly string[] } | { readonly code: string } | { readonly all: true };

/** What `DeadLetterQueue.requeue()` did. */
export interface RequeueResult {
  /** Dead-letter ids requeued (each added to the source queue once, then removed from the DLQ). */
  readonly requeued: readonly string[];
  /** Requested ids that are not in the dead-letter queue. */
  readonly notFound: readonly string[];
  /** Entries left in place because their stored data failed the strict schema. */
  readonly invalid: readonly string[];
}

/** Where `DeadLetterQueue.mirrorFailed()` starts. */
export interface MirrorOptions {
  /** Index in the source queue's failed set (newest first) to start from: a previous result's `next`. Default `0`. */
  readonly from?: number | undefined;
}

/** What `DeadLetterQueue.mirrorFailed()` did. */
export interface MirrorResult {
  /** Failed jobs of the source queue that were added to the dead-letter queue now. */
  readonly mirrored: number;
  /** Failed jobs that were dead-lettered already. */
  readonly alreadyPresent: number;
  /** Failed jobs read from the source queue (at most `maxBatch`). */
  readonly scanned: number;
  /**
   * Where the next call continues (`from`), or `undefined` when the failed set was read to its end.
   * New failures shift the set, so a continued scan re-reads some jobs (harmless) rather than skipping any.
   */
  readonly next: number | undefined;
}
