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
   * publish path's budget check in one store read (SQLite) or one round trip (Redis).
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

/** Above this many endpoints, one statement takes the ids as a JSON array instead of `?` parameters. */
const INLINE_ENDPOINTS = 16;

/** Runs a write in a transaction, resolving once committed (a group-commit queue's `run`). */
type Writes = <T>(write: () => T) => Promise<T>;

/**
 * Usage in the server's SQLite database (one host). With `writes` (the database's group-commit
 * queue), each `add` and `settle` joins the transaction of its event-loop turn, shared with the
 * event-id records written in that turn; without it, each is its own transaction.
 */
export function sqliteStorageUsage(db: Database.Database, writes?: Writes): StorageUsage {
  const read = db.prepare('SELECT bytes FROM usage_by_key WHERE key_id = ?');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO usage_pending (message_id, key_id, bytes, deliveries_left) VALUES (?, ?, ?, ?)',
  );
  const grow = db.prepare(
    'INSERT INTO usage_by_key (key_id, bytes) VALUES (?, ?) ON CONFLICT(key_id) DO UPDATE SET bytes = bytes + excluded.bytes',
  );
  const queued = db.prepare('INSERT OR IGNORE INTO usage_pending_endpoint (message_id, endpoint_id) VALUES (?, ?)');
  const growEndpoint = db.prepare(
    'INSERT INTO usage_by_endpoint (endpoint_id, bytes) VALUES (?, ?) ON CONFLICT(endpoint_id) DO UPDATE SET bytes = bytes + excluded.bytes',
  );
  const pending = db.prepare('SELECT key_id, bytes, deliveries_left FROM usage_pending WHERE message_id = ?');
  const dequeued = db.prepare('DELETE FROM usage_pending_endpoint WHERE message_id = ? AND endpoint_id = ?');
  const anyQueued = db.prepare('SELECT 1 FROM usage_pending_endpoint WHERE message_id = ? LIMIT 1');
  const shrinkEndpoint = db.prepare('UPDATE usage_by_endpoint SET bytes = MAX(0, bytes - ?) WHERE endpoint_id = ?');
  const dropEndpoint = db.prepare('DELETE FROM usage_by_endpoint WHERE endpoint_id = ? AND bytes <= 0');
  const decrement = db.prepare('UPDATE usage_pending SET deliveries_left = deliveries_left - 1 WHERE message_id = ?');
  const remove = db.prepare('DELETE FROM usage_pending WHERE message_id = ?');
  const shrink = db.prepare('UPDATE usage_by_key SET bytes = MAX(0, bytes - ?) WHERE key_id = ?');
  const add = (keyId: string, messageId: string, bytes: number, endpointIds: readonly string[]): void => {
    if (insert.run(messageId, keyId, bytes, endpointIds.length).changes !== 1) return;
    grow.run(keyId, bytes);
    for (const endpointId of endpointIds) {
      if (queued.run(messageId, endpointId).changes === 1) growEndpoint.run(endpointId, bytes);
    }
  };
  const settle = (messageId: string, endpointId: string): void => {
    const row = pending.get(messageId) as { key_id: string; bytes: number; deliveries_left: number } | undefined;
    if (!row) return;
    if (dequeued.run(messageId, endpointId).changes === 1) {
      shrinkEndpoint.run(row.bytes, endpointId);
      dropEndpoint.run(endpointId);
    } else if (anyQueued.get(messageId)) {
      return; // this endpoint's delivery was settled already
    }
    // Rows written before per-endpoint accounting have no endpoint rows: they count down only.
    if (row.deliveries_left > 1) {
      decrement.run(messageId);
      return;
    }
    remove.run(messageId);
    shrink.run(row.bytes, row.key_id);
  };
  const own = { add: db.transaction(add), settle: db.transaction(settle) };
  const bytesOf = (row: unknown): number => (row as { bytes: number } | undefined)?.bytes ?? 0;
  // Each statement outside a transaction pays SQLite's WAL read locks (~10–20 µs on the test VM,
  // more than the lookup): the key's row and the endpoints' rows come from one statement.
  const heldStatements = new Map<number, Database.Statement>();
  const heldStatement = (count: number): Database.Statement => {
    const inline = count <= INLINE_ENDPOINTS;
    const size = inline ? count : -1;
    let statement = heldStatements.get(size);
    if (!statement) {
      const ids = inline ? Array.from({ length: count }, () => '?').join(', ') : 'SELECT value FROM json_each(?)';
      statement = db
        .prepare(
          `SELECT NULL AS endpoint_id, bytes FROM usage_by_key WHERE key_id = ?
           UNION ALL SELECT endpoint_id, bytes FROM usage_by_endpoint WHERE endpoint_id IN (${ids})`,
        )
        .raw();
      heldStatements.set(size, statement);
    }
    return statement;
  };
  const held = (keyId: string, endpointIds: readonly string[]): HeldBytes => {
    if (endpointIds.length === 0) return { key: bytesOf(read.get(keyId)), endpoints: [] };
    const inline = endpointIds.length <= INLINE_ENDPOINTS;
    const rows = heldStatement(endpointIds.length).all(
      keyId,
      ...(inline ? endpointIds : [JSON.stringify(endpointIds)]),
    ) as Array<[string | null, number]>;
    let key = 0;
    const byEndpoint = new Map<string, number>();
    for (const [endpointId, bytes] of rows) {
      if (endpointId === null) key = bytes;
      else byEndpoint.set(endpointId, bytes);
    }
    return { key, endpoints: endpointIds.map((id) => byEndpoint.get(id) ?? 0) };
  };
  return {
    held: async (keyId, endpointIds) => held(keyId, endpointIds),
    add: writes
      ? (keyId, messageId, bytes, endpointIds) => writes(() => add(keyId, messageId, bytes, endpointIds))
      : async (keyId, messageId, bytes, endpointIds) => void own.add(keyId, messageId, bytes, endpointIds),
    settle: writes
      ? (messageId, endpointId) => writes(() => settle(messageId, endpointId))
      : async (messageId, endpointId) => void own.settle(messageId, endpointId),
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
