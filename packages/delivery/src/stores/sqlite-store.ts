import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { leased } from '../internal/leased.js';
import type {
  ClaimedDelivery,
  ClaimOptions,
  Completion,
  DeliveryCounts,
  DeliveryRecord,
  DeliverySelector,
  DeliveryStatus,
  DeliveryStore,
  DlqStats,
  EndpointRecord,
  EnqueueLease,
  HeldLease,
  ListDeliveriesOptions,
  NewDelivery,
  PruneOptions,
} from '../store.js';
import { GroupCommit } from './group-commit.js';
import { SqlitePayloads } from './sqlite-payloads.js';
import { ClaimQueue } from './sqlite-queue.js';
import { type AttemptRow, addFilter, type DeliveryRow, migrate, SCHEMA, toAttempt } from './sqlite-rows.js';
import { type CheckpointResult, createWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throwaway (non-durable) store. */
  readonly path: string;
  /**
   * SQLite `synchronous` pragma. `NORMAL` (default) survives process crashes (SIGKILL) in WAL
   * mode; `FULL` also survives power loss at the cost of an fsync per commit.
   * @defaultValue 'NORMAL'
   */
  readonly synchronous?: 'NORMAL' | 'FULL' | undefined;
  /** Milliseconds to wait on a lock held by another process. @defaultValue 5000 */
  readonly busyTimeoutMs?: number | undefined;
  /**
   * Where the WAL is copied back into the database file. `background` (default for files): a
   * worker thread with its own connection checkpoints every `checkpointIntervalMs`, so the
   * event loop never stalls on it (the main connection still checkpoints inline past ~40 MB of
   * WAL, should the worker fall behind or fail). `inline`: SQLite's default, every 1,000 pages
   * by whichever commit crosses the mark.
   * @defaultValue 'background'
   */
  readonly checkpoint?: 'background' | 'inline' | undefined;
  /** Background checkpoint period. @defaultValue 1000 */
  readonly checkpointIntervalMs?: number | undefined;
  /** Called after each background checkpoint that copied frames (for metrics). */
  readonly onCheckpoint?: ((result: CheckpointResult) => void) | undefined;
}

function startCheckpointer(db: Database.Database, options: SqliteStoreOptions): WalCheckpointer | undefined {
  if (db.memory || options.checkpoint === 'inline') return undefined;
  return createWalCheckpointer(db, {
    intervalMs: options.checkpointIntervalMs ?? 1000,
    onCheckpoint: options.onCheckpoint,
  });
}

/**
 * The embedded, durable default store: one SQLite file in WAL mode (better-sqlite3). Publishes,
 * claims and completions issued in the same event-loop turn are committed together (group
 * commit), each in its own savepoint, and each promise resolves only once its write is
 * committed: a killed process loses nothing acknowledged and a reopened file resumes where it
 * stopped; expired leases are re-claimed.
 *
 * @param options - File path and durability pragmas.
 * @example
 * ```ts
 * import { createSqliteStore } from '@bulwark/delivery/sqlite';
 * const store = createSqliteStore({ path: './deliveries.db' });
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): DeliveryStore {
  const intervalMs = options.checkpointIntervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) {
    throw new RangeError('`checkpointIntervalMs` must be a number >= 1');
  }
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  db.exec(SCHEMA);
  migrate(db);
  const payloads = new SqlitePayloads(db);
  payloads.migrate();
  const queue = new ClaimQueue(db);
  const checkpointer = startCheckpointer(db, options);

  const stmt = {
    saveEndpoint: db.prepare(
      'INSERT INTO endpoints (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data',
    ),
    getEndpoint: db.prepare<[string], { data: string }>('SELECT data FROM endpoints WHERE id = ?'),
    listEndpoints: db.prepare<[], { data: string }>('SELECT data FROM endpoints ORDER BY id'),
    deleteEndpoint: db.prepare('DELETE FROM endpoints WHERE id = ?'),
    insert: db.prepare(
      `INSERT OR IGNORE INTO deliveries (id, message_id, endpoint_id, event_type, payload, payload_id, status, next_at, created_at, updated_at)
       VALUES (@id, @messageId, @endpointId, @eventType, '', @payloadId, 'pending', @nextAt, @createdAt, @createdAt)`,
    ),
    insertLeased: db.prepare(
      `INSERT OR IGNORE INTO deliveries (id, message_id, endpoint_id, event_type, payload, payload_id, status, next_at, lease_token, created_at, updated_at)
       VALUES (@id, @messageId, @endpointId, @eventType, '', @payloadId, 'inflight', @until, @token, @createdAt, @now)`,
    ),
    // A completion reads the leased row, then updates it by rowid in the same transaction: one
    // UPDATE … RETURNING cost ~2x both (SQLite runs RETURNING through an ephemeral table).
    leased: db.prepare<[string, string], { rid: number; total_attempts: number; endpoint_id: string }>(
      `SELECT rowid AS rid, total_attempts, endpoint_id FROM deliveries
       WHERE id = ? AND lease_token = ? AND status = 'inflight'`,
    ),
    finish: db.prepare<Record<string, unknown>>(
      `UPDATE deliveries SET status = @status, next_at = @nextAt, last_error = @lastError, updated_at = @now,
         lease_token = NULL, attempts = attempts + @counted, total_attempts = total_attempts + @counted
       WHERE rowid = @rid`,
    ),
    insertAttempt: db.prepare(
      `INSERT INTO attempts (delivery_id, n, at, status_code, latency_ms, response, error_code, simulated)
       VALUES (@deliveryId, @n, @at, @statusCode, @latencyMs, @response, @errorCode, @simulated)`,
    ),
    getDelivery: db.prepare<[string], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?'),
    listAttempts: db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE delivery_id = ? ORDER BY n'),
    counts: db.prepare<[], { status: DeliveryStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status',
    ),
    pruneDeliveries: db.prepare<{ before: number; limit: number }, { id: string; payload_id: number | null }>(
      `DELETE FROM deliveries WHERE id IN (
         SELECT id FROM deliveries INDEXED BY deliveries_succeeded
         WHERE status = 'succeeded' AND updated_at < @before ORDER BY updated_at LIMIT @limit)
       RETURNING id, payload_id`,
    ),
    pruneAttempts: db.prepare('DELETE FROM attempts WHERE delivery_id = ?'),
    dlqByEndpoint: db.prepare<[], { endpoint_id: string; n: number; oldest: number }>(
      `SELECT endpoint_id, COUNT(*) AS n, MIN(updated_at) AS oldest FROM deliveries WHERE status = 'dead' GROUP BY endpoint_id`,
    ),
  };

  // Completions mark their endpoint's head stale; it is recomputed once per transaction.
  const writes = new GroupCommit(db, () => queue.settle());
  // listDeliveries has one statement per combination of its four filters (16 at most): each is
  // prepared once, not per call (GET /events/:id reads through it).
  const listStatements = new Map<string, Database.Statement<Record<string, unknown>, DeliveryRow>>();
  const listStatement = (sql: string) => {
    let statement = listStatements.get(sql);
    if (!statement) {
      statement = db.prepare<Record<string, unknown>, DeliveryRow>(sql);
      listStatements.set(sql, statement);
    }
    return statement;
  };
  const records = (rows: readonly DeliveryRow[]): DeliveryRecord[] => payloads.records(rows);

  function complete(id: string, token: string, c: Completion): boolean {
    const row = stmt.leased.get(id, token);
    if (!row) return false;
    const counted = c.attempt ? 1 : 0;
    stmt.finish.run({
      rid: row.rid,
      status: c.status,
      nextAt: c.nextAt,
      lastError: c.lastError,
      now: c.now,
      counted,
    });
    queue.touch(row.endpoint_id);
    if (c.attempt) {
      const simulated = c.attempt.simulated === true ? 1 : 0;
      stmt.insertAttempt.run({ ...c.attempt, deliveryId: id, n: row.total_attempts + counted, simulated });
    }
    return true;
  }

  function claim({
    now,
    leaseMs,
    limit,
    excludeEndpoints = [],
    maxPerEndpoint = limit,
    endpointCaps,
  }: ClaimOptions): ClaimedDelivery[] {
    const until = now + leaseMs;
    const token = randomUUID();
    const rows = queue.claim({ now, until, token }, limit, maxPerEndpoint, new Set(excludeEndpoints), endpointCaps);
    return records(rows)
      .map((record) => leased(record, token, until))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  return {
    kind: 'sqlite',
    async saveEndpoint(endpoint: EndpointRecord) {
      stmt.saveEndpoint.run(endpoint.id, JSON.stringify(endpoint));
    },
    async getEndpoint(id: string) {
      const row = stmt.getEndpoint.get(id);
      return row ? (JSON.parse(row.data) as EndpointRecord) : undefined;
    },
    async listEndpoints() {
      return stmt.listEndpoints.all().map((row) => JSON.parse(row.data) as EndpointRecord);
    },
    async deleteEndpoint(id: string) {
      return stmt.deleteEndpoint.run(id).changes > 0;
    },
    enqueue(deliveries: readonly NewDelivery[], lease?: EnqueueLease) {
      return writes.run(() => {
        const inserted: string[] = [];
        const payloadIds = new Map<string, number>();
        // Deliveries inserted per payload: its reference count grows once per call, not per delivery.
        const refs = new Map<number, number>();
        for (const d of deliveries) {
          const leasedHere = lease?.ids.has(d.id) === true;
          const payloadId = payloads.acquire(d.payload, payloadIds);
          // Statement parameters as one literal each: a spread plus new keys costs µs on Node 20.
          const result = leasedHere
            ? stmt.insertLeased.run({
                id: d.id,
                messageId: d.messageId,
                endpointId: d.endpointId,
                eventType: d.eventType,
                payloadId,
                createdAt: d.createdAt,
                until: lease.until,
                token: lease.token,
                now: lease.now,
              })
            : stmt.insert.run({
                id: d.id,
                messageId: d.messageId,
                endpointId: d.endpointId,
                eventType: d.eventType,
                payloadId,
                nextAt: d.nextAt,
                createdAt: d.createdAt,
              });
          if (result.changes === 0) continue;
          refs.set(payloadId, (refs.get(payloadId) ?? 0) + 1);
          inserted.push(d.id);
          // The queue keeps each endpoint's earliest due time and writes it once per transaction.
          queue.lowerLater(d.endpointId, leasedHere ? lease.until : d.nextAt);
        }
        for (const [id, n] of refs) payloads.ref(id, n);
        // A payload acquired only by deliveries that already existed keeps no row.
        payloads.dropUnused([...payloadIds.values()].filter((id) => !refs.has(id)));
        return inserted;
      });
    },
    async claim(options: ClaimOptions) {
      if (options.limit <= 0) return [];
      return writes.run(() => claim(options));
    },
    complete(id: string, leaseToken: string, completion: Completion) {
      return writes.run(() => complete(id, leaseToken, completion));
    },
    async renew(leases: readonly HeldLease[], until: number) {
      if (leases.length === 0) return [];
      return writes.run(() => queue.renew(leases, until));
    },
    async getDelivery(id: string) {
      const row = stmt.getDelivery.get(id);
      return row ? records([row])[0] : undefined;
    },
    async listDeliveries(opts: ListDeliveriesOptions = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: opts.limit ?? 100 };
      addFilter(where, params, 'status =', 'status', opts.status);
      addFilter(where, params, 'endpoint_id =', 'endpointId', opts.endpointId);
      addFilter(where, params, 'message_id =', 'messageId', opts.messageId);
      addFilter(where, params, 'id >', 'after', opts.after);
      const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT @limit`;
      return records(listStatement(sql).all(params));
    },
    async listAttempts(deliveryId: string) {
      return stmt.listAttempts.all(deliveryId).map(toAttempt);
    },
    async requeue(selector: DeliverySelector, now: number) {
      if (selector.statuses.length === 0 || selector.ids?.length === 0) return 0;
      const where: string[] = [`status IN (${selector.statuses.map((_, i) => `@s${i}`).join(', ')})`];
      const params: Record<string, unknown> = { now };
      selector.statuses.forEach((s, i) => {
        params[`s${i}`] = s;
      });
      if (selector.ids) {
        where.push(`id IN (${selector.ids.map((_, i) => `@id${i}`).join(', ')})`);
        selector.ids.forEach((id, i) => {
          params[`id${i}`] = id;
        });
      }
      addFilter(where, params, 'message_id =', 'messageId', selector.messageId);
      addFilter(where, params, 'endpoint_id =', 'endpointId', selector.endpointId);
      const sql = `UPDATE deliveries SET status = 'pending', next_at = @now, attempts = 0, updated_at = @now
                   WHERE ${where.join(' AND ')} RETURNING endpoint_id`;
      const statement = db.prepare<Record<string, unknown>, { endpoint_id: string }>(sql);
      return writes.run(() => {
        const rows = statement.all(params);
        for (const endpoint of new Set(rows.map((row) => row.endpoint_id))) queue.lower(endpoint, now);
        return rows.length;
      });
    },
    async prune({ before, limit }: PruneOptions) {
      if (limit <= 0) return 0;
      return writes.run(() => {
        const pruned = stmt.pruneDeliveries.all({ before, limit });
        for (const { id } of pruned) stmt.pruneAttempts.run(id);
        payloads.release(pruned.map((row) => row.payload_id));
        return pruned.length;
      });
    },
    async counts(): Promise<DeliveryCounts> {
      const counts = { pending: 0, inflight: 0, succeeded: 0, dead: 0 };
      for (const row of stmt.counts.all()) counts[row.status] = row.n;
      return counts;
    },
    async dlqStats(): Promise<DlqStats> {
      const byEndpoint: Record<string, number> = {};
      let size = 0;
      let oldestAt: number | null = null;
      for (const row of stmt.dlqByEndpoint.all()) {
        byEndpoint[row.endpoint_id] = row.n;
        size += row.n;
        oldestAt = oldestAt === null ? row.oldest : Math.min(oldestAt, row.oldest);
      }
      return { size, byEndpoint, oldestAt };
    },
    async close() {
      writes.flush();
      await checkpointer?.close();
      if (db.open) db.close();
    },
  };
}
