import { assertNumberOption } from '@bulwark/core';
import Database from 'better-sqlite3';
import type { BeginOutcome, BeginRequest, CompleteRequest, IdempotencyStore } from '../store.js';

/** Options of {@link createSqliteStore}: a file `path`, or an open better-sqlite3 `database` to share. */
export interface SqliteStoreOptions {
  /** Database file (created if missing); `:memory:` for a throwaway store. */
  readonly path?: string | undefined;
  /** An open better-sqlite3 database (the store creates its table in it; closing it is yours). */
  readonly database?: Database.Database | undefined;
  /** Table name (`[A-Za-z_][A-Za-z0-9_]*`). @defaultValue 'idempotency_records' */
  readonly table?: string | undefined;
  /**
   * Milliseconds to wait on a lock held by another process. better-sqlite3 is synchronous, so the
   * idempotency's `deadlineMs` cannot interrupt this wait: it is the bound of a stalled SQLite
   * call, after which the claim fails (503). Keep it at or below `deadlineMs`. A shared `database`
   * keeps its own setting unless this is given. @defaultValue 1000
   */
  readonly busyTimeoutMs?: number | undefined;
  /** Expired records deleted every this many claims (at most 100 per sweep). @defaultValue 100 */
  readonly sweepEvery?: number | undefined;
  /**
   * Runs the store's writes (claim, complete, release) instead of giving each its own
   * transaction: pass a group-commit queue on the same `database` (such as `createGroupCommit`
   * from `@bulwark/delivery/sqlite`) and the claims and completions of one event-loop turn share
   * one transaction with your other writes. It must run `write` inside a write transaction
   * (`BEGIN IMMEDIATE`) and resolve only once that transaction committed; it may run `write`
   * again after a rollback. @defaultValue each claim its own `BEGIN IMMEDIATE` transaction, each
   * completion and release one statement, run at once
   */
  readonly writes?: (<T>(write: () => T) => Promise<T>) | undefined;
}

/** The SQLite {@link IdempotencyStore}. */
export interface SqliteStore extends IdempotencyStore {
  readonly name: 'sqlite';
  /** Deletes expired records (all of them); returns how many. */
  prune(now: number): number;
  /** Closes the database when the store opened it (a no-op for a shared `database`). */
  close(): void;
}

interface Row {
  fingerprint: string;
  token: string | null;
  result: string | null;
  expires_at: number;
}

/**
 * Creates a SQLite store (better-sqlite3, WAL mode): each claim reads and writes the key's row in
 * one `BEGIN IMMEDIATE` transaction, so two processes sharing the file never both acquire a
 * key; completing and releasing only touch the row while the caller's token owns it. Only hashes
 * of keys are stored; results are the serialized outcomes.
 *
 * @param options - `path` or `database`, table name, busy timeout.
 * @throws {TypeError} when neither `path` nor `database` is given, or the table name is unsafe.
 * @example
 * ```ts
 * import { createSqliteStore } from '@bulwark/idempotency/sqlite';
 * const idempotency = createIdempotency({ store: createSqliteStore({ path: './idempotency.db' }) });
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const table = options.table ?? 'idempotency_records';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new TypeError('Expected `table` to be a plain SQL identifier');
  const busyTimeoutMs = options.busyTimeoutMs ?? 1_000;
  assertNumberOption('busyTimeoutMs', busyTimeoutMs, { min: 0, integer: true });
  const sweepEvery = options.sweepEvery ?? 100;
  assertNumberOption('sweepEvery', sweepEvery, { min: 1, integer: true });
  if (options.writes !== undefined && typeof options.writes !== 'function') {
    throw new TypeError('Expected `writes` to be a function (a group-commit queue)');
  }
  if (options.database === undefined && typeof options.path !== 'string') {
    throw new TypeError('Expected `path` (a file) or `database` (an open better-sqlite3 database)');
  }
  const owned = options.database === undefined;
  const db = options.database ?? new Database(options.path as string);
  if (owned) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  // A shared database keeps its own setting unless one is asked for: the pragma is per connection.
  if (owned || options.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    token TEXT,
    result TEXT,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at);`);

  const select = db.prepare<[string], Row>(`SELECT fingerprint, token, result, expires_at FROM ${table} WHERE key = ?`);
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO ${table} (key, fingerprint, token, result, expires_at) VALUES (?, ?, ?, NULL, ?)`,
  );
  const finish = db.prepare(
    `UPDATE ${table} SET result = ?, token = NULL, expires_at = ? WHERE key = ? AND token = ? AND result IS NULL AND expires_at > ?`,
  );
  const remove = db.prepare(`DELETE FROM ${table} WHERE key = ? AND token = ? AND result IS NULL`);
  const sweep = db.prepare(
    `DELETE FROM ${table} WHERE key IN (SELECT key FROM ${table} WHERE expires_at <= ? LIMIT 100)`,
  );
  const pruneAll = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`);
  let claims = 0;

  const claimRow = (request: BeginRequest): BeginOutcome => {
    const row = select.get(request.key);
    if (row && row.expires_at > request.now) {
      return row.result === null
        ? { status: 'in_progress', fingerprint: row.fingerprint, lockExpiresAt: row.expires_at }
        : { status: 'completed', fingerprint: row.fingerprint, result: row.result };
    }
    upsert.run(request.key, request.fingerprint, request.token, request.lockExpiresAt);
    if (++claims % sweepEvery === 0) sweep.run(request.now);
    return { status: 'acquired', recovered: row !== undefined && row.result === null };
  };
  const claim = db.transaction(claimRow);
  const queued = options.writes;
  const writes = queued ?? (<T>(write: () => T): Promise<T> => new Promise<T>((resolve) => resolve(write())));
  const begin: (request: BeginRequest) => Promise<BeginOutcome> = queued
    ? (request) => queued(() => claimRow(request))
    : (request) => new Promise<BeginOutcome>((resolve) => resolve(claim.immediate(request)));

  return Object.freeze({
    name: 'sqlite' as const,
    begin,
    complete: (request: CompleteRequest) =>
      writes(
        () => finish.run(request.result, request.expiresAt, request.key, request.token, request.now).changes === 1,
      ),
    release: (key: string, token: string) =>
      writes(() => {
        remove.run(key, token);
      }),
    prune: (now: number) => pruneAll.run(now).changes,
    close: () => {
      if (owned && db.open) db.close();
    },
  });
}
