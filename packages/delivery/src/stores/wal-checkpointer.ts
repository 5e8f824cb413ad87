import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

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

/** A running background checkpointer. */
export interface WalCheckpointer {
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
