import type Database from 'better-sqlite3';
import type { DeliveryRow } from './sqlite-rows.js';

/**
 * The claim path of the SQLite store. Claimable deliveries (pending, or inflight with their
 * lease expiry as `next_at`) are read per endpoint through `deliveries_queue`
 * (`endpoint_id, next_at, id`, partial on those two states), and `claim_heads` holds, for each
 * endpoint with claimable work, its earliest `next_at`. A claim reads the due heads, skips the
 * excluded endpoints and leases the oldest due deliveries of the others, so it touches what it
 * claims plus one head per excluded endpoint, never the backlog behind them. Exported for the
 * query-plan test.
 */
export const QUEUE_SQL = {
  dueHeads: `SELECT endpoint_id FROM claim_heads INDEXED BY claim_heads_due
             WHERE next_at <= @now ORDER BY next_at, endpoint_id LIMIT @n`,
  // Read, then leased row by row by rowid in the same transaction: an UPDATE … RETURNING of the
  // same rows cost ~2x (SQLite runs RETURNING through an ephemeral table per execution).
  dueOfEndpoint: `SELECT rowid AS rid, * FROM deliveries INDEXED BY deliveries_queue
                  WHERE endpoint_id = @endpoint AND status IN ('pending', 'inflight') AND next_at <= @now
                  ORDER BY next_at, id LIMIT @n`,
  lease: `UPDATE deliveries SET status = 'inflight', lease_token = @token, next_at = @until, updated_at = @now
          WHERE rowid = @rid`,
  firstQueued: `SELECT next_at FROM deliveries INDEXED BY deliveries_queue
                WHERE endpoint_id = ? AND status IN ('pending', 'inflight') ORDER BY next_at LIMIT 1`,
  setHead: `INSERT INTO claim_heads (endpoint_id, next_at) VALUES (@endpoint, @nextAt)
            ON CONFLICT(endpoint_id) DO UPDATE SET next_at = excluded.next_at`,
  lowerHead: `INSERT INTO claim_heads (endpoint_id, next_at) VALUES (@endpoint, @nextAt)
              ON CONFLICT(endpoint_id) DO UPDATE SET next_at = MIN(next_at, excluded.next_at)`,
  dropHead: 'DELETE FROM claim_heads WHERE endpoint_id = ?',
  rebuild: `INSERT OR REPLACE INTO claim_heads (endpoint_id, next_at)
            SELECT endpoint_id, MIN(next_at) FROM deliveries WHERE status IN ('pending', 'inflight') GROUP BY endpoint_id`,
  renew: `UPDATE deliveries SET next_at = @until WHERE id = @id AND lease_token = @token AND status = 'inflight'
          RETURNING endpoint_id`,
} as const;

/** A due row as {@link QUEUE_SQL.dueOfEndpoint} reads it, before it is leased. */
type ClaimRow = DeliveryRow & { rid: number };

/** Tables and indexes of the claim path (created when missing). */
export const QUEUE_SCHEMA = `
DROP INDEX IF EXISTS deliveries_claimable;
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (endpoint_id, next_at, id) WHERE status IN ('pending', 'inflight');
CREATE TABLE IF NOT EXISTS claim_heads (endpoint_id TEXT PRIMARY KEY, next_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS claim_heads_due ON claim_heads (next_at, endpoint_id);`;

/** Claims and lease renewals, and the `claim_heads` bookkeeping every other write must call. */
export class ClaimQueue {
  readonly #dueHeads: Database.Statement<{ now: number; n: number }, { endpoint_id: string }>;
  readonly #dueOfEndpoint: Database.Statement<{ endpoint: string; now: number; n: number }, ClaimRow>;
  readonly #lease: Database.Statement<{ rid: number; token: string; until: number; now: number }>;
  readonly #firstQueued: Database.Statement<[string], { next_at: number }>;
  readonly #setHead: Database.Statement<{ endpoint: string; nextAt: number }>;
  readonly #lowerHead: Database.Statement<{ endpoint: string; nextAt: number }>;
  readonly #dropHead: Database.Statement<[string]>;
  readonly #renew: Database.Statement<{ id: string; token: string; until: number }, { endpoint_id: string }>;
  /** Endpoints whose head {@link ClaimQueue.settle} must recompute before the transaction commits. */
  readonly #stale = new Set<string>();
  /** Heads {@link ClaimQueue.settle} must lower before the transaction commits (earliest due time per endpoint). */
  readonly #lower = new Map<string, number>();

  /** Creates the schema; `claim_heads` is rebuilt from the deliveries when it did not exist. */
  constructor(db: Database.Database) {
    const existed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'claim_heads'").get();
    db.exec(QUEUE_SCHEMA);
    if (!existed) db.prepare(QUEUE_SQL.rebuild).run();
    this.#dueHeads = db.prepare(QUEUE_SQL.dueHeads);
    this.#dueOfEndpoint = db.prepare(QUEUE_SQL.dueOfEndpoint);
    this.#lease = db.prepare(QUEUE_SQL.lease);
    this.#firstQueued = db.prepare(QUEUE_SQL.firstQueued);
    this.#setHead = db.prepare(QUEUE_SQL.setHead);
    this.#lowerHead = db.prepare(QUEUE_SQL.lowerHead);
    this.#dropHead = db.prepare(QUEUE_SQL.dropHead);
    this.#renew = db.prepare(QUEUE_SQL.renew);
  }

  /**
   * Leases up to `limit` due deliveries, endpoints by oldest head, at most `perEndpoint` each
   * and at most `caps` of an endpoint it names (a cap below 1 skips the endpoint).
   */
  claim(
    params: { now: number; until: number; token: string },
    limit: number,
    perEndpoint: number,
    exclude: ReadonlySet<string>,
    caps: ReadonlyMap<string, number> = new Map(),
  ): DeliveryRow[] {
    this.settle();
    const rows: DeliveryRow[] = [];
    let skipped = exclude.size;
    for (const [endpoint, cap] of caps) if (!(cap >= 1) && !exclude.has(endpoint)) skipped++;
    // Each due head that is not skipped yields at least one delivery.
    for (const { endpoint_id: endpoint } of this.#dueHeads.all({ now: params.now, n: limit + skipped })) {
      if (rows.length >= limit) break;
      if (exclude.has(endpoint)) continue;
      // A cap below 1 (or NaN) skips the endpoint.
      const n = Math.floor(Math.min(limit - rows.length, perEndpoint, caps.get(endpoint) ?? perEndpoint));
      if (!(n >= 1)) continue;
      for (const row of this.#dueOfEndpoint.all({ endpoint, now: params.now, n })) {
        this.#lease.run({ rid: row.rid, ...params });
        // The row as leased (what an UPDATE … RETURNING would have returned).
        row.status = 'inflight';
        row.lease_token = params.token;
        row.next_at = params.until;
        row.updated_at = params.now;
        rows.push(row);
      }
      this.refresh(endpoint);
    }
    return rows;
  }

  /** Extends the leases still held; returns the ids renewed. */
  renew(leases: ReadonlyArray<{ id: string; leaseToken: string }>, until: number): string[] {
    const renewed: string[] = [];
    const touched = new Set<string>();
    for (const { id, leaseToken } of leases) {
      const row = this.#renew.get({ id, token: leaseToken, until });
      if (!row) continue;
      renewed.push(id);
      touched.add(row.endpoint_id);
    }
    for (const endpoint of touched) this.refresh(endpoint);
    return renewed;
  }

  /** After deliveries of `endpoint` became claimable at `nextAt` (insert, requeue). */
  lower(endpoint: string, nextAt: number): void {
    this.#lowerHead.run({ endpoint, nextAt });
  }

  /**
   * As {@link ClaimQueue.lower}, once per transaction: the earliest `nextAt` of each endpoint is
   * written by {@link ClaimQueue.settle}, however many publishes of the transaction inserted
   * deliveries for it. A write rolled back after calling this leaves at worst a head earlier than
   * its endpoint's work (a claim then finds nothing there and recomputes it), never a later one.
   */
  lowerLater(endpoint: string, nextAt: number): void {
    const pending = this.#lower.get(endpoint);
    if (pending === undefined || nextAt < pending) this.#lower.set(endpoint, nextAt);
  }

  /**
   * After a completion of `endpoint`: its head is recomputed once per transaction, by
   * {@link ClaimQueue.settle}, however many of its deliveries the transaction completes.
   */
  touch(endpoint: string): void {
    this.#stale.add(endpoint);
  }

  /** Writes the heads lowered and recomputes those touched since the last call (before a claim reads them, and before commit). */
  settle(): void {
    for (const [endpoint, nextAt] of this.#lower) this.lower(endpoint, nextAt);
    this.#lower.clear();
    for (const endpoint of this.#stale) this.refresh(endpoint);
    this.#stale.clear();
  }

  /** After deliveries of `endpoint` were leased, completed or re-scheduled. */
  refresh(endpoint: string): void {
    const first = this.#firstQueued.get(endpoint);
    if (first) this.#setHead.run({ endpoint, nextAt: first.next_at });
    else this.#dropHead.run(endpoint);
  }
}
