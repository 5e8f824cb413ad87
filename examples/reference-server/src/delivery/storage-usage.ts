import type Database from 'better-sqlite3';
import type { RedisClient } from '../redis-connection.js';

/**
 * Bytes of pending event payloads per API key and per endpoint: the storage budgets behind 507
 * answers. An event counts once for its key (the store keeps one copy of its payload) and once
 * for each endpoint it is queued for (that endpoint's backlog), until that delivery ends.
 */
export interface StorageUsage {
  /**
   * What the key holds and what each endpoint holds (in the order given), read together: the
   * publish path's budget check, from memory (SQLite) or in one round trip (Redis).
   */
  held(keyId: string, endpointIds: readonly string[]): Promise<HeldBytes>;
  /** Records an accepted publish: `bytes` held for the key until every endpoint's delivery ends. */
  add(keyId: string, messageId: string, bytes: number, endpointIds: readonly string[]): Promise<void>;
  /**
   * The delivery of `messageId` to `endpointId` ended (delivered or dead-lettered): frees the
   * endpoint's share, and the key's once the last delivery ends. Settling twice changes nothing.
   */
  settle(messageId: string, endpointId: string): Promise<void>;
}

/** Bytes held by a key and by each of some endpoints (`endpoints[i]` for the i-th id asked about). */
export interface HeldBytes {
  readonly key: number;
  readonly endpoints: readonly number[];
}

/** Runs a write in a transaction, resolving once committed (a group-commit queue's `run`). */
type Writes = <T>(write: () => T) => Promise<T>;

/** What a committed write changed in the totals: bytes added (or freed) for a key and endpoints. */
interface Delta {
  readonly keyId: string | undefined;
  readonly endpointIds: readonly string[];
  readonly bytes: number;
}

function change(totals: Map<string, number>, id: string, bytes: number): void {
  const next = (totals.get(id) ?? 0) + bytes;
  if (next > 0) totals.set(id, next);
  else totals.delete(id);
}

/**
 * Usage in the server's SQLite database (one host, one server process per `DATA_DIR`; a fleet
 * shares Redis). The durable record is one row per pending message (key, bytes, deliveries left)
 * and one per endpoint it is still queued for, written with the publish's event-id result and
 * settled per delivery. The totals per key and per endpoint the budget check reads are kept in
 * memory: summed from those rows when the ledger opens (so a restart resumes them exactly) and
 * changed by each write once it has committed (a rolled-back write changes nothing). The budget
 * check is then a map lookup instead of a statement that pays SQLite's WAL read lock, and a
 * publish or settle writes two tables instead of four. With `writes` (the database's
 * group-commit queue), each `add` and `settle` joins the transaction of its event-loop turn,
 * shared with the event-id records written in that turn; without it, each is its own transaction.
 */
export function sqliteStorageUsage(db: Database.Database, writes?: Writes): StorageUsage {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO usage_pending (message_id, key_id, bytes, deliveries_left) VALUES (?, ?, ?, ?)',
  );
  const queued = db.prepare('INSERT OR IGNORE INTO usage_pending_endpoint (message_id, endpoint_id) VALUES (?, ?)');
  const pending = db.prepare('SELECT key_id, bytes, deliveries_left FROM usage_pending WHERE message_id = ?');
  const dequeued = db.prepare('DELETE FROM usage_pending_endpoint WHERE message_id = ? AND endpoint_id = ?');
  const anyQueued = db.prepare('SELECT 1 FROM usage_pending_endpoint WHERE message_id = ? LIMIT 1');
  const decrement = db.prepare('UPDATE usage_pending SET deliveries_left = deliveries_left - 1 WHERE message_id = ?');
  const remove = db.prepare('DELETE FROM usage_pending WHERE message_id = ?');
  const byKey = new Map<string, number>();
  const byEndpoint = new Map<string, number>();
  for (const [keyId, bytes] of db
    .prepare('SELECT key_id, SUM(bytes) FROM usage_pending GROUP BY key_id')
    .raw()
    .all() as Array<[string, number]>) {
    change(byKey, keyId, bytes);
  }
  for (const [endpointId, bytes] of db
    .prepare(
      `SELECT e.endpoint_id, SUM(p.bytes) FROM usage_pending_endpoint e
       JOIN usage_pending p ON p.message_id = e.message_id GROUP BY e.endpoint_id`,
    )
    .raw()
    .all() as Array<[string, number]>) {
    change(byEndpoint, endpointId, bytes);
  }
  const apply = (delta: Delta | undefined, sign: 1 | -1): void => {
    if (!delta) return;
    if (delta.keyId !== undefined) change(byKey, delta.keyId, sign * delta.bytes);
    for (const endpointId of delta.endpointIds) change(byEndpoint, endpointId, sign * delta.bytes);
  };
  // Writes change only the database (a group commit may run one twice); the totals follow once committed.
  const add = (keyId: string, messageId: string, bytes: number, endpointIds: readonly string[]): Delta | undefined => {
    if (insert.run(messageId, keyId, bytes, endpointIds.length).changes !== 1) return undefined;
    const added = endpointIds.filter((endpointId) => queued.run(messageId, endpointId).changes === 1);
    return { keyId, endpointIds: added, bytes };
  };
  const settle = (messageId: string, endpointId: string): Delta | undefined => {
    const row = pending.get(messageId) as { key_id: string; bytes: number; deliveries_left: number } | undefined;
    if (!row) return undefined;
    let endpointIds: string[] = [];
    if (dequeued.run(messageId, endpointId).changes === 1) {
      endpointIds = [endpointId];
    } else if (anyQueued.get(messageId)) {
      return undefined; // this endpoint's delivery was settled already
    }
    // Rows written before per-endpoint accounting have no endpoint rows: they count down only.
    if (row.deliveries_left > 1) {
      decrement.run(messageId);
      return { keyId: undefined, endpointIds, bytes: row.bytes };
    }
    remove.run(messageId);
    return { keyId: row.key_id, endpointIds, bytes: row.bytes };
  };
  const run = writes ?? (async <T>(write: () => T): Promise<T> => db.transaction(write)());
  return {
    held: async (keyId, endpointIds) => ({
      key: byKey.get(keyId) ?? 0,
      endpoints: endpointIds.map((id) => byEndpoint.get(id) ?? 0),
    }),
    add: async (keyId, messageId, bytes, endpointIds) =>
      apply(await run(() => add(keyId, messageId, bytes, endpointIds)), 1),
    settle: async (messageId, endpointId) => apply(await run(() => settle(messageId, endpointId)), -1),
  };
}

// KEYS[1] = message hash, KEYS[2] = key counters, KEYS[3] = endpoint counters;
// ARGV = keyId, bytes, endpoint ids. `q:<endpoint>` fields mark the endpoints still queued.
const ADD = `if redis.call('HSETNX', KEYS[1], 'key', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'bytes', ARGV[2], 'left', #ARGV - 2, 'per-endpoint', 1)
  redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
  for i = 3, #ARGV do
    if redis.call('HSETNX', KEYS[1], 'q:' .. ARGV[i], 1) == 1 then redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[2]) end
  end
end
return 1`;
// KEYS as ADD; ARGV[1] = endpoint id.
const SETTLE = `local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
if redis.call('HDEL', KEYS[1], 'q:' .. ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[3], ARGV[1], -bytes) <= 0 then redis.call('HDEL', KEYS[3], ARGV[1]) end
elseif redis.call('HEXISTS', KEYS[1], 'per-endpoint') == 1 then
  return -1
end
local left = redis.call('HINCRBY', KEYS[1], 'left', -1)
if left > 0 then return left end
local key = redis.call('HGET', KEYS[1], 'key')
redis.call('DEL', KEYS[1])
if key then
  local now = redis.call('HINCRBY', KEYS[2], key, -bytes)
  if now <= 0 then redis.call('HDEL', KEYS[2], key) end
end
return 0`;

/** Usage in Redis (several hosts share it; a delivery may end on another host than its publish). */
export function redisStorageUsage(redis: RedisClient, prefix: string): StorageUsage {
  // One slot for everything, so the scripts' keys never cross slots on a Cluster.
  const byKey = `${prefix}{usage}:by-key`;
  const byEndpoint = `${prefix}{usage}:by-endpoint`;
  const message = (id: string) => `${prefix}{usage}:msg:${id}`;
  return {
    held: async (keyId, endpointIds) => {
      // Sent together: one round trip instead of one per read.
      const [key, endpoints] = await Promise.all([
        redis.hget(byKey, keyId),
        endpointIds.length === 0 ? [] : redis.hmget(byEndpoint, ...endpointIds),
      ]);
      return { key: Number(key ?? 0), endpoints: endpoints.map((bytes) => Number(bytes ?? 0)) };
    },
    add: async (keyId, messageId, bytes, endpointIds) =>
      void (await redis.eval(ADD, 3, message(messageId), byKey, byEndpoint, keyId, bytes, ...endpointIds)),
    settle: async (messageId, endpointId) =>
      void (await redis.eval(SETTLE, 3, message(messageId), byKey, byEndpoint, endpointId)),
  };
}
