/** One thing measured in a case: the floor (raw platform operation), ours, or a peer library. */
export interface BenchSubject {
  /** Short name printed in the table, e.g. `node:crypto (floor)`, `@bulwark/webhooks`, `svix`. */
  readonly name: string;
  /** Set on exactly one subject per case: the raw platform operation the others are compared to. */
  readonly floor?: boolean;
  /** Optional per-subject setup, run once before measuring. */
  readonly setup?: () => void | Promise<void>;
  /** Optional, run before every iteration (warm-up and measured) outside the timed `fn`. */
  readonly beforeEach?: () => void | Promise<void>;
  /** Optional per-subject teardown, run once after measuring (before the next subject starts). */
  readonly teardown?: () => void | Promise<void>;
  /** The operation; may be async. */
  readonly fn: () => unknown;
}

/** One input size or scenario, measured for every subject in the same run. */
export interface BenchCase {
  /** e.g. `verify 1 KiB`. */
  readonly name: string;
  readonly subjects: readonly BenchSubject[];
  /**
   * Minimum measured iterations per subject (tinybench's default is 64): for cases whose one
   * iteration takes long (hundreds of deliveries), so interleaved rounds stay short.
   */
  readonly iterations?: number;
  /** Minimum warmup iterations per subject (tinybench's default is 16). */
  readonly warmupIterations?: number;
}

/** A benchmark suite, one per package: `pnpm bench <name>`. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  /** Builds the cases; may start servers etc. Return a teardown in `dispose`. */
  readonly cases: () => Promise<readonly BenchCase[]> | readonly BenchCase[];
  /**
   * The suite starts its own Redis (and Cluster) when REDIS_URL (REDIS_CLUSTER_NODES) is unset, so
   * a run without them is complete: its results file is rewritten, not merged.
   */
  readonly startsOwnRedis?: boolean;
  /** Frees what `cases` set up. */
  readonly dispose?: () => Promise<void> | void;
  /**
   * Lines printed under the table once every case ran: ratios computed within each interleaved
   * round (same conditions), summarised as medians with the rounds listed so drift shows.
   */
  readonly summary?: (results: readonly BenchResult[]) => readonly string[];
}

/** One row of `bench/results/<suite>.json`. */
export interface BenchResult {
  readonly suite: string;
  readonly subject: string;
  readonly case: string;
  readonly opsPerSec: number;
  /** opsPerSec divided by the floor subject's opsPerSec in the same case. */
  readonly ratioToFloor: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly samples: number;
}
