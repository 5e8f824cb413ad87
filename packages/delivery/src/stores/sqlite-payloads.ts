import type Database from 'better-sqlite3';
import type { DeliveryRecord } from '../store.js';
import { payloadHash } from './payload-hash.js';
import { type DeliveryRow, toRecord } from './sqlite-rows.js';

/** Tables of the payload store (created when missing). */
export const PAYLOAD_SCHEMA = `
CREATE TABLE IF NOT EXISTS payloads (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, body TEXT NOT NULL, refs INTEGER NOT NULL);`;

/** `PRAGMA user_version` of a file whose payloads are all in the payload table. */
const PAYLOADS_VERSION = 1;

/**
 * Payload bodies of the SQLite store, stored once per distinct body rather than once per
 * delivery: the deliveries of one message (one per endpoint) reference the same `payloads` row
 * through `deliveries.payload_id`, and `refs` counts them. Every call runs inside the caller's
 * write (one savepoint), so a crash never leaves a delivery without its payload or a count wrong.
 * Rows written before this table existed keep their body inline in `deliveries.payload` until
 * {@link SqlitePayloads.migrate} moves it.
 */
export class SqlitePayloads {
  readonly #byHash: Database.Statement<[string], { id: number }>;
  readonly #insert: Database.Statement<[string, string], { id: number }>;
  readonly #body: Database.Statement<[number], { body: string }>;
  readonly #bodies: Database.Statement<[string], { id: number; body: string }>;
  readonly #ref: Database.Statement<[number, number]>;
  readonly #dropUnused: Database.Statement<[number]>;
  readonly #legacy: Database.Statement<[string], { id: string; payload: string }>;
  readonly #link: Database.Statement<[number, string]>;
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(PAYLOAD_SCHEMA);
    const columns = db.prepare('PRAGMA table_info(deliveries)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'payload_id')) db.exec('ALTER TABLE deliveries ADD COLUMN payload_id INTEGER');
    this.#byHash = db.prepare('SELECT id FROM payloads WHERE hash = ?');
    // No row when the body is already stored (then read by hash): one statement for a new body.
    this.#insert = db.prepare(
      'INSERT INTO payloads (hash, body, refs) VALUES (?, ?, 0) ON CONFLICT(hash) DO NOTHING RETURNING id',
    );
    this.#body = db.prepare('SELECT body FROM payloads WHERE id = ?');
    this.#bodies = db.prepare('SELECT id, body FROM payloads WHERE id IN (SELECT value FROM json_each(?))');
    this.#ref = db.prepare('UPDATE payloads SET refs = refs + ? WHERE id = ?');
    this.#dropUnused = db.prepare('DELETE FROM payloads WHERE id = ? AND refs <= 0');
    this.#legacy = db.prepare(
      "SELECT id, payload FROM deliveries WHERE id > ? AND payload_id IS NULL AND payload <> '' ORDER BY id LIMIT 1000",
    );
    this.#link = db.prepare("UPDATE deliveries SET payload_id = ?, payload = '' WHERE id = ?");
  }

  /**
   * Moves inline payloads (files written before the payload table) into it, 1,000 deliveries
   * per transaction, once per file (`PRAGMA user_version` 1 records that it is done); returns
   * how many deliveries were moved. Safe to interrupt: each batch commits whole, and the next
   * open resumes with what is left.
   */
  migrate(): number {
    if ((this.#db.pragma('user_version', { simple: true }) as number) >= PAYLOADS_VERSION) return 0;
    let moved = 0;
    let after = '';
    const batch = this.#db.transaction(() => {
      const rows = this.#legacy.all(after);
      const ids = new Map<string, number>();
      for (const row of rows) {
        const id = this.acquire(row.payload, ids);
        this.#link.run(id, row.id);
        this.ref(id, 1);
        after = row.id;
      }
      return rows.length;
    });
    for (let n = batch(); n > 0; n = batch()) moved += n;
    this.#db.pragma(`user_version = ${PAYLOADS_VERSION}`);
    return moved;
  }

  /**
   * The id of the row holding `payload`, inserted (with no references yet) when missing.
   * `seen` caches the ids of one write, so a message's deliveries hash their body once.
   */
  acquire(payload: string, seen: Map<string, number>): number {
    const cached = seen.get(payload);
    if (cached !== undefined) return cached;
    const hash = payloadHash(payload);
    const id = this.#insert.get(hash, payload)?.id ?? (this.#byHash.get(hash) as { id: number }).id;
    seen.set(payload, id);
    return id;
  }

  /** Adds `delta` references to a payload row. */
  ref(id: number, delta: number): void {
    this.#ref.run(delta, id);
  }

  /** Deletes payload rows no delivery references any more (after a prune, or an insert that wrote nothing). */
  dropUnused(ids: Iterable<number>): void {
    for (const id of ids) this.#dropUnused.run(id);
  }

  /** Drops one reference per pruned delivery (`null`: a row without one) and the rows left unused. */
  release(payloadIds: ReadonlyArray<number | null>): void {
    const released = new Set<number>();
    for (const id of payloadIds) {
      if (id === null) continue;
      this.ref(id, -1);
      released.add(id);
    }
    this.dropUnused(released);
  }

  /** Delivery rows as records, each with its body (read once per distinct payload). */
  records(rows: readonly DeliveryRow[]): DeliveryRecord[] {
    const bodies = new Map<number, string>();
    // Several bodies (a claim's, a listing's) are read with one statement, not one per row.
    const ids = new Set<number>();
    for (const row of rows) if (row.payload_id !== null) ids.add(row.payload_id);
    if (ids.size > 1) for (const { id, body } of this.#bodies.all(JSON.stringify([...ids]))) bodies.set(id, body);
    return rows.map((row) => toRecord(row, this.#bodyOf(row, bodies)));
  }

  /** The body of a delivery row: from the payload table, or inline for a row not migrated. */
  #bodyOf(row: DeliveryRow, cache: Map<number, string>): string {
    if (row.payload_id === null) return row.payload;
    const cached = cache.get(row.payload_id);
    if (cached !== undefined) return cached;
    // A row is only ever linked to a payload it references, so the body is there.
    const body = (this.#body.get(row.payload_id) as { body: string }).body;
    cache.set(row.payload_id, body);
    return body;
  }
}
