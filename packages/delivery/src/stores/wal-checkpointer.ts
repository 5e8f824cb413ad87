import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** What one background checkpoint did (SQLite's `wal_checkpoint` result). */
export interface CheckpointResult {
  /** Frames in the WAL when it ran. */
  readonly walFrames: number;
  /** Frames copied into the database file. */
  readonly checkpointed: number;
}

/** Options of {@link startWalCheckpointer}. */
export interface WalCheckpointerOptions {
  readonly path: string;
  readonly intervalMs: number;
  readonly onCheckpoint?: ((result: CheckpointResult) => void) | undefined;
  /** Called once if the worker cannot run; the caller falls back to inline checkpoints. */
  readonly onFailure: (error: Error) => void;
}

/** A running background checkpointer (see {@link createWalCheckpointer}). */
export interface WalCheckpointer {
  /** Stops the worker thread; resolves once it exited (its connection closed). Idempotent. */
  close(): Promise<void>;
}

// CommonJS: an eval'd worker cannot load ES modules by path on Node 20.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  if (result && result.checkpointed > 0) parentPort.postMessage({ walFrames: result.log, checkpointed: result.checkpointed });
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Copies the WAL back into the database file from a worker thread with its own connection.
 * A checkpoint costs ~15 µs per page (10–25 ms for SQLite's default 1,000-page trigger on a VM
 * disk); done inline it stalls the event loop of the process that happens to commit. PASSIVE
 * checkpoints never block writers, so the store keeps committing meanwhile.
 */
export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the parent's flags: --input-type=module (or a loader) would turn this CommonJS into ESM.
    execArgv: [],
    workerData: { driver, path: options.path, intervalMs: options.intervalMs },
  });
  worker.unref();
  let failed = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (result: CheckpointResult) => options.onCheckpoint?.(result));
  worker.on('error', (error) => {
    if (failed) return;
    failed = true;
    options.onFailure(error);
  });
  let closing: Promise<void> | undefined;
  return {
    close() {
      // Referenced again while we wait for it: an unref'd worker does not keep the event loop
      // alive, so a script awaiting its exit would end inside close() (ESM: exit 13; CommonJS:
      // the code after the await never runs).
      closing ??= (async () => {
        worker.ref();
        worker.postMessage('close');
        await exited;
      })();
      return closing;
    },
  };
}

/** Options of {@link createWalCheckpointer}. */
export interface WalCheckpointerConfig {
  /** Milliseconds between background checkpoints. @defaultValue 1000 */
  readonly intervalMs?: number | undefined;
  /** Called after each background checkpoint that copied frames (for metrics). */
  readonly onCheckpoint?: ((result: CheckpointResult) => void) | undefined;
}

/** Inline fallback while the background checkpointer runs: ~40 MB of WAL at 4 KiB pages. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

/**
 * Moves the WAL checkpoints of a WAL-mode better-sqlite3 connection off its event loop, as the
 * SQLite delivery store does for its own file: a worker thread with its own connection copies
 * the WAL back into the database file every `intervalMs` (PASSIVE: writers never wait for it).
 * Left to SQLite, the commit that crosses 1,000 WAL pages runs the checkpoint inline (10–25 ms
 * on a VM disk), stalling every request in flight. The connection still checkpoints inline past
 * ~40 MB of WAL, should the worker fall behind, and at SQLite's default 1,000 pages if the worker
 * cannot run. An in-memory connection gets a checkpointer that does nothing.
 *
 * @param database - An open better-sqlite3 connection in WAL mode; never closed by the checkpointer.
 * @param options - Interval and an optional callback per checkpoint.
 * @returns A handle whose `close()` stops the worker (call it before closing the connection).
 * @throws RangeError when `intervalMs` is not a number >= 1.
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { createWalCheckpointer } from '@bulwark/delivery/sqlite';
 *
 * const db = new Database(':memory:');
 * db.pragma('journal_mode = WAL');
 * const checkpointer = createWalCheckpointer(db, { intervalMs: 1000 });
 * await checkpointer.close();
 * db.close();
 * ```
 */
export function createWalCheckpointer(
  database: Database.Database,
  options: WalCheckpointerConfig = {},
): WalCheckpointer {
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) {
    throw new RangeError('`intervalMs` must be a number >= 1');
  }
  if (database.memory) return Object.freeze({ close: async () => {} });
  database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startWalCheckpointer({
    path: database.name,
    intervalMs,
    onCheckpoint: options.onCheckpoint,
    onFailure: () => {
      if (database.open) database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    },
  });
  return Object.freeze({ close: () => checkpointer.close() });
}
