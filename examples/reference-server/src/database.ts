import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createGroupCommit, createWalCheckpointer, type SqliteGroupCommit } from '@bulwark/delivery/sqlite';
import Database from 'better-sqlite3';

/** Ordered schema migrations; each runs once, in a transaction, recorded in `schema_migrations`. */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE email_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        event_id TEXT,
        type TEXT NOT NULL,
        recipient TEXT NOT NULL,
        provider_message_id TEXT,
        bounce_kind TEXT,
        bounce_code TEXT,
        occurred_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        raw TEXT NOT NULL,
        UNIQUE (provider, event_id)
      );
      CREATE INDEX email_events_recipient ON email_events (recipient);
      CREATE TABLE suppressions (
        email TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_message_id TEXT,
        occurred_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        request_id TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        secret_sha256 BLOB NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      ALTER TABLE audit_log ADD COLUMN source TEXT;
      CREATE INDEX audit_log_at ON audit_log (id DESC);
      CREATE TABLE usage_pending (
        message_id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        deliveries_left INTEGER NOT NULL
      );
      CREATE TABLE usage_by_key (key_id TEXT PRIMARY KEY, bytes INTEGER NOT NULL);`,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE replay_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE INDEX replay_keys_expiry ON replay_keys (expires_at);`,
  },
  {
    version: 4,
    sql: `
      CREATE TABLE usage_pending_endpoint (
        message_id TEXT NOT NULL,
        endpoint_id TEXT NOT NULL,
        PRIMARY KEY (message_id, endpoint_id)
      ) WITHOUT ROWID;
      CREATE TABLE usage_by_endpoint (endpoint_id TEXT PRIMARY KEY, bytes INTEGER NOT NULL);`,
  },
  {
    // The ledger's totals are summed from usage_pending and usage_pending_endpoint when it opens.
    version: 5,
    sql: `
      DROP TABLE usage_by_key;
      DROP TABLE usage_by_endpoint;`,
  },
];

/** The server's own embedded database (email events, suppressions, audit log). */
export interface ServerDatabase {
  readonly db: Database.Database;
  /**
   * Group commit for the request path's writes (event-id claims and results, the storage
   * ledger): those queued in one event-loop turn commit as one transaction, each resolved only
   * once committed. Flushed by `close()`.
   */
  readonly writes: SqliteGroupCommit;
  /** Highest applied migration, for readiness. */
  schemaVersion(): number;
  /** The version the code expects. */
  readonly expectedVersion: number;
  /** Commits what is queued, stops the WAL checkpointer and closes the connection. */
  close(): Promise<void>;
}

/** Makes the database file and its WAL companions owner-only (0600), whatever the umask. */
export function restrictFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/** Opens (creating if needed) `<dataDir>/server.db` in WAL mode and applies pending migrations. */
export function openServerDatabase(dataDir: string | ':memory:'): ServerDatabase {
  let path = ':memory:';
  if (dataDir !== ':memory:') {
    // Owner-only: the database holds API key digests, suppressions and the audit log.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    path = join(dataDir, 'server.db');
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  if (path !== ':memory:') restrictFiles(path);
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        new Date().toISOString(),
      );
    })();
  }
  const expectedVersion = MIGRATIONS.at(-1)?.version ?? 0;
  const writes = createGroupCommit(db);
  // The WAL is copied back from a worker thread: left to SQLite, the request-path commit that
  // crossed 1,000 WAL pages ran the checkpoint inline, ~15 ms on the event loop several times a
  // second at 1,000 publishes/s (every request in flight waited for it).
  const checkpointer = createWalCheckpointer(db);
  return {
    db,
    writes,
    expectedVersion,
    schemaVersion: () =>
      (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0,
    close: async () => {
      if (db.open) writes.flush();
      await checkpointer.close();
      db.close();
    },
  };
}
