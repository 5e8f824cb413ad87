/**
 * The SQLite store of `@bulwark/idempotency` (Node.js, better-sqlite3 as an optional peer
 * dependency): one file shared by the processes of one host, claims atomic in one transaction.
 *
 * @module @bulwark/idempotency/sqlite
 */
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from './stores/sqlite-store.js';
