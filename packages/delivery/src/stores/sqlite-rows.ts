import type { AttemptRecord, DeliveryRecord, DeliveryStatus } from '../store.js';

/** A `deliveries` row as better-sqlite3 returns it. */
export interface DeliveryRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  event_type: string;
  /** `''` once the body lives in the `payloads` table (see `payload_id`). */
  payload: string;
  /** The `payloads` row holding the body; `null` for a row written before that table existed. */
  payload_id: number | null;
  status: DeliveryStatus;
  attempts: number;
  next_at: number;
  lease_token: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** An `attempts` row. */
export interface AttemptRow {
  delivery_id: string;
  n: number;
  at: number;
  status_code: number | null;
  latency_ms: number;
  response: string | null;
  error_code: string | null;
  simulated: number;
}

/** Tables and indexes, created when missing. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS endpoints (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, event_type TEXT NOT NULL,
  payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
  lease_token TEXT, last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, total_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status, endpoint_id);
CREATE INDEX IF NOT EXISTS deliveries_message ON deliveries (message_id);
CREATE INDEX IF NOT EXISTS deliveries_succeeded ON deliveries (updated_at) WHERE status = 'succeeded';
CREATE TABLE IF NOT EXISTS attempts (
  delivery_id TEXT NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL, status_code INTEGER, latency_ms INTEGER NOT NULL,
  response TEXT, error_code TEXT, simulated INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (delivery_id, n)
) WITHOUT ROWID;`;

/** Adds `column @name` to a WHERE list when `value` is set. */
export function addFilter(
  where: string[],
  params: Record<string, unknown>,
  column: string,
  name: string,
  value: unknown,
): void {
  if (value === undefined) return;
  where.push(`${column} @${name}`);
  params[name] = value;
}

/** A delivery row as a {@link DeliveryRecord}, with its payload body. */
export function toRecord(row: DeliveryRow, payload: string): DeliveryRecord {
  return {
    id: row.id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    payload,
    status: row.status,
    attempts: row.attempts,
    nextAt: row.next_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An attempt row as an {@link AttemptRecord}. */
export function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    deliveryId: row.delivery_id,
    n: row.n,
    at: row.at,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    response: row.response,
    errorCode: row.error_code,
    simulated: row.simulated === 1,
  };
}

/** Adds columns introduced after a file was created (`attempts.simulated`). */
export function migrate(db: { prepare(sql: string): { all(): unknown[]; run(): unknown } }): void {
  const columns = db.prepare('PRAGMA table_info(attempts)').all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'simulated')) {
    db.prepare('ALTER TABLE attempts ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0').run();
  }
}
