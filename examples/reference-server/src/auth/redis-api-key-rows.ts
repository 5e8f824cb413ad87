import { systemTimers, type TimerProvider } from '@bulwark/core';
import type { RedisClient } from '../redis-connection.js';
import { withinDeadline } from '../redis-deadline.js';
import type { ApiKeyRow, ApiKeyRows } from './api-keys.js';

/** Options of {@link redisApiKeyRows}. */
export interface RedisApiKeyRowsOptions {
  readonly redis: RedisClient;
  /** REDIS_KEY_PREFIX; the rows live under `<prefix>{api-keys}:`. */
  readonly prefix: string;
  /** Each store call answers within this long or fails with `storage_unavailable`. */
  readonly deadlineMs: number;
  readonly timers?: TimerProvider;
}

// Sets revoked_at only on a live row: a revocation is never undone or re-dated.
const REVOKE = `if redis.call('HEXISTS', KEYS[1], 'id') == 1 and redis.call('HEXISTS', KEYS[1], 'revoked_at') == 0 then
  redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1])
  return 1
end
return 0`;

const fromHash = (hash: Record<string, string>): ApiKeyRow | undefined =>
  hash.id === undefined
    ? undefined
    : {
        id: hash.id,
        name: hash.name ?? '',
        scopes: hash.scopes ?? '[]',
        secretSha256: Buffer.from(hash.secret_sha256 ?? '', 'hex'),
        createdAt: hash.created_at ?? '',
        revokedAt: hash.revoked_at ?? null,
      };

/**
 * Key rows in Redis, shared by every instance of a fleet (standalone or Cluster). One hash per
 * key, `<prefix>{api-keys}:key:<id>` (id, name, scopes, the secret's SHA-256 as hex, created_at,
 * revoked_at), and the index `<prefix>{api-keys}:index` (a sorted set of ids by creation time).
 * The fixed `{api-keys}` hash tag keeps all of them in one Cluster slot, so a create writes the
 * row and the index in one MULTI. The secret itself is never stored. Every call settles within
 * `deadlineMs`: a Redis that refuses, drops or stalls the call rejects with
 * `storage_unavailable` (503, retryable), so an outage never authenticates a caller.
 */
export function redisApiKeyRows(options: RedisApiKeyRowsOptions): ApiKeyRows {
  const { redis, deadlineMs } = options;
  const timers = options.timers ?? systemTimers;
  const base = `${options.prefix}{api-keys}:`;
  const index = `${base}index`;
  const keyOf = (id: string) => `${base}key:${id}`;
  const call = <T>(work: () => Promise<T>): Promise<T> =>
    withinDeadline(timers, deadlineMs, 'The API key store is unavailable; retry later', work);
  return {
    insert: (row) =>
      call(async () => {
        const results = await redis
          .multi()
          .hset(keyOf(row.id), {
            id: row.id,
            name: row.name,
            scopes: row.scopes,
            secret_sha256: row.secretSha256.toString('hex'),
            created_at: row.createdAt,
          })
          .zadd(index, Date.parse(row.createdAt), row.id)
          .exec();
        const failed = results?.find(([error]) => error)?.[0];
        if (!results || failed) throw failed ?? new Error('MULTI discarded');
      }),
    get: (id) => call(async () => fromHash(await redis.hgetall(keyOf(id)))),
    revoke: (id, at) => call(async () => (await redis.eval(REVOKE, 1, keyOf(id), at)) === 1),
    all: () =>
      call(async () => {
        const ids = await redis.zrange(index, 0, -1);
        const hashes = await Promise.all(ids.map((id) => redis.hgetall(keyOf(id))));
        return hashes
          .map(fromHash)
          .filter((row): row is ApiKeyRow => row !== undefined)
          .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? 1 : -1));
      }),
  };
}
