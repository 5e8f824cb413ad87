/**
 * The embedded durable store for `@bulwark/delivery`: SQLite in WAL mode via better-sqlite3
 * (an optional peer dependency; Node only).
 *
 * @module @bulwark/delivery/sqlite
 */
export { createGroupCommit, type SqliteGroupCommit } from './stores/group-commit.js';
export { createSqliteStore, type SqliteStoreOptions } from './stores/sqlite-store.js';
export {
  type CheckpointResult,
  createWalCheckpointer,
  type WalCheckpointer,
  type WalCheckpointerConfig,
} from './stores/wal-checkpointer.js';
