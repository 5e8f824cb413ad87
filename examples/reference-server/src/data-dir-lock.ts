import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { restrictFiles } from './database.js';

/** The file whose SQLite write lock marks `DATA_DIR` as in use by a server process. */
export const LOCK_FILE = 'server.lock';

/** Another server process holds `DATA_DIR`. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError' as const;
  readonly code = 'data_dir_in_use' as const;
}

/** Held while a server process owns `DATA_DIR`; released by `release()` or by the process ending. */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes `DATA_DIR` for this process, or throws {@link DataDirInUseError} at once when another server
 * process has it. The embedded stores keep state in the process that owns them (the storage
 * ledger's totals, the delivery store's claim heads), so a second process on the same files would
 * let publishes through past their budgets. The lock is an exclusive SQLite transaction left open
 * on `server.lock`: an OS file lock, so a process that is killed (even SIGKILL) releases it and the
 * next start on the same `DATA_DIR` takes it.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  const db = new Database(path);
  restrictFiles(path);
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
    throw new DataDirInUseError(
      `DATA_DIR ${dataDir} is in use by another server process (one process per DATA_DIR; to run several instances, give each its own DATA_DIR and share REDIS_URL)`,
    );
  }
  return {
    release: () => {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
