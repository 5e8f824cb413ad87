import type Database from 'better-sqlite3';
import type { Redis } from 'ioredis';

/** Bytes of pending event payloads per API key: the storage budget behind 507 answers. */
export interface StorageUsage {
  /** Bytes the key's pending deliveries hold now. */
  pendingBytes(keyId: string): Promise<number>;
  /** Records an accepted publish: `bytes` held until each of its `deliveries` ends. */
  add(keyId: string, messageId: string, bytes: number, deliveries: number): Promise<void>;
  /** One delivery of `messageId` ended (delivered or dead-lettered); frees its share when the last one ends. */
  settle(messageId: string): Promise<void>;
}

/** Usage in the server's SQLite database (one host). */
export function sqliteStorageUsage(db: Database.Database): StorageUsage {
  const read = db.prepare('SELECT bytes FROM usage_by_key WHERE key_id = ?');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO usage_pending (message_id, key_id, bytes, deliveries_left) VALUES (?, ?, ?, ?)',
  );
  const grow = db.prepare(
    'INSERT INTO usage_by_key (key_id, bytes) VALUES (?, ?) ON CONFLICT(key_id) DO UPDATE SET bytes = bytes + excluded.bytes',
  );
  const pending = db.prepare('SELECT key_id, bytes, deliveries_left FROM usage_pending WHERE message_id = ?');
  const decrement = db.prepare('UPDATE usage_pending SET deliveries_left = deliveries_left - 1 WHERE message_id = ?');
  const remove = db.prepare('DELETE FROM usage_pending WHERE message_id = ?');
  const shrink = db.prepare('UPDATE usage_by_key SET bytes = MAX(0, bytes - ?) WHERE key_id = ?');
  const add = db.transaction((keyId: string, messageId: string, bytes: number, deliveries: number) => {
    if (insert.run(messageId, keyId, bytes, deliveries).changes === 1) grow.run(keyId, bytes);
  });
  const settle = db.transaction((messageId: string) => {
    const row = pending.get(messageId) as { key_id: string; bytes: number; deliveries_left: number } | undefined;
    if (!row) return;
    if (row.deliveries_left > 1) {
      decrement.run(messageId);
      return;
    }
    remove.run(messageId);
    shrink.run(row.bytes, row.key_id);
  });
  return {
    pendingBytes: async (keyId) => (read.get(keyId) as { bytes: number } | undefined)?.bytes ?? 0,
    add: async (keyId, messageId, bytes, deliveries) => void add(keyId, messageId, bytes, deliveries),
    settle: async (messageId) => void settle(messageId),
  };
}

// KEYS[1] = message hash, KEYS[2] = key counter hash; ARGV = keyId, bytes, deliveries.
const ADD = `if redis.call('HSETNX', KEYS[1], 'key', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'bytes', ARGV[2], 'left', ARGV[3])
  redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
end
return 1`;
// KEYS[1] = message hash, KEYS[2] = key counter hash.
const SETTLE = `local left = redis.call('HINCRBY', KEYS[1], 'left', -1)
if left > 0 then return left end
local key = redis.call('HGET', KEYS[1], 'key')
local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
redis.call('DEL', KEYS[1])
if key then
  local now = redis.call('HINCRBY', KEYS[2], key, -bytes)
  if now <= 0 then redis.call('HDEL', KEYS[2], key) end
end
return 0`;

/** Usage in Redis (several hosts share it; a delivery may end on another host than its publish). */
export function redisStorageUsage(redis: Redis, prefix: string): StorageUsage {
  // One slot for everything, so the scripts' two keys never cross slots on a Cluster.
  const counters = `${prefix}{usage}:by-key`;
  const message = (id: string) => `${prefix}{usage}:msg:${id}`;
  return {
    pendingBytes: async (keyId) => Number((await redis.hget(counters, keyId)) ?? 0),
    add: async (keyId, messageId, bytes, deliveries) =>
      void (await redis.eval(ADD, 2, message(messageId), counters, keyId, bytes, deliveries)),
    settle: async (messageId) => void (await redis.eval(SETTLE, 2, message(messageId), counters)),
  };
}
