import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@bulwark/core';
import type Database from 'better-sqlite3';
import type { Scope } from './scopes.js';

/** A stored API key, without its secret. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/**
 * Publisher and sender keys: created and shown once, stored as a SHA-256 digest, revocable.
 * Every method may reject with `storage_unavailable` (503, retryable) when the store cannot
 * answer: a store outage never authenticates anyone.
 */
export interface ApiKeys {
  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  create(name: string, scopes: readonly Scope[]): Promise<{ id: string; key: string }>;
  /** Revokes a key; false when no live key has that id. */
  revoke(id: string): Promise<boolean>;
  /** Every key, newest first, without secrets. */
  list(): Promise<readonly ApiKeyRecord[]>;
  /** The live key matching a presented credential, or undefined (constant time in the secret). */
  verify(credential: string): Promise<ApiKeyRecord | undefined>;
}

/** One stored key as the stores keep it: the secret only as its SHA-256 digest. */
export interface ApiKeyRow {
  readonly id: string;
  readonly name: string;
  /** The scopes as a JSON array. */
  readonly scopes: string;
  readonly secretSha256: Buffer;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Where key rows live: the server database (one host) or Redis (a fleet). */
export interface ApiKeyRows {
  insert(row: ApiKeyRow): Promise<void>;
  get(id: string): Promise<ApiKeyRow | undefined>;
  /** Sets `revokedAt` on a live row; false when there is no live row with that id. */
  revoke(id: string, at: string): Promise<boolean>;
  /** Every row, newest first. */
  all(): Promise<readonly ApiKeyRow[]>;
}

/** Prefix of every API key, so a leaked one is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'bwk_';
const KEY_FORMAT = /^bwk_([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;
const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
// Compared against when the id is unknown, so an unknown id costs what a wrong secret costs.
const DECOY = digest('decoy');

const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  scopes: JSON.parse(row.scopes) as Scope[],
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
});

/** Rows kept in memory for `verify` (by key id, which is not secret). */
const CACHE_MAX = 1_000;
/**
 * How long a cached row is trusted: a revocation through this process drops it at once; one
 * written by another process (or another instance of a fleet, through Redis) is seen within
 * this long.
 */
export const API_KEY_CACHE_TTL_MS = 1_000;

/**
 * API keys over a row store. Secrets are 256-bit random, so one SHA-256 is enough. `verify`
 * keeps the rows it read (id, stored digest, scopes) for {@link API_KEY_CACHE_TTL_MS}, at most
 * {@link CACHE_MAX}, so a publish costs no store read; the presented secret is still hashed and
 * compared in constant time on every call. A store failure propagates (never a match).
 */
export function createApiKeysOver(rows: ApiKeyRows, clock: Clock): ApiKeys {
  const cache = new Map<string, { row: ApiKeyRow; record: ApiKeyRecord; at: number }>();
  const lookup = async (id: string): Promise<{ row: ApiKeyRow; record: ApiKeyRecord } | undefined> => {
    const now = clock.now();
    const hit = cache.get(id);
    if (hit && now - hit.at < API_KEY_CACHE_TTL_MS && now >= hit.at) return hit;
    cache.delete(id);
    const row = await rows.get(id);
    if (!row) return undefined;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    const record = toRecord(row);
    const entry = { row, record: Object.freeze({ ...record, scopes: Object.freeze(record.scopes) }), at: now };
    cache.set(id, entry);
    return entry;
  };
  return {
    async create(name, scopes) {
      const id = randomBytes(12).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      await rows.insert({
        id,
        name,
        scopes: JSON.stringify(scopes),
        secretSha256: digest(secret),
        createdAt: new Date(clock.now()).toISOString(),
        revokedAt: null,
      });
      return { id, key: `${API_KEY_PREFIX}${id}.${secret}` };
    },
    async revoke(id) {
      cache.delete(id);
      const revoked = await rows.revoke(id, new Date(clock.now()).toISOString());
      // A verify that read the row while the revocation was in flight may have cached it live.
      cache.delete(id);
      return revoked;
    },
    list: async () => (await rows.all()).map(toRecord),
    async verify(credential) {
      const match = KEY_FORMAT.exec(credential);
      if (!match) return undefined;
      const found = await lookup(match[1] as string);
      const presented = digest(match[2] as string);
      const equal = timingSafeEqual(presented, found?.row.secretSha256 ?? DECOY);
      return found && equal && found.row.revokedAt === null ? found.record : undefined;
    },
  };
}

interface SqliteRow {
  id: string;
  name: string;
  scopes: string;
  secret_sha256: Buffer;
  created_at: string;
  revoked_at: string | null;
}

const fromSqlite = (row: SqliteRow): ApiKeyRow => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes,
  secretSha256: row.secret_sha256,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** Key rows in the server database (table `api_keys`): one host, or processes sharing its file. */
export function sqliteApiKeyRows(db: Database.Database): ApiKeyRows {
  const insert = db.prepare(
    'INSERT INTO api_keys (id, name, scopes, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const all = db.prepare('SELECT * FROM api_keys ORDER BY created_at DESC, id');
  return {
    insert: async (row) => void insert.run(row.id, row.name, row.scopes, row.secretSha256, row.createdAt),
    get: async (id) => {
      const row = byId.get(id) as SqliteRow | undefined;
      return row && fromSqlite(row);
    },
    revoke: async (id, at) => revoke.run(at, id).changes === 1,
    all: async () => (all.all() as SqliteRow[]).map(fromSqlite),
  };
}

/** API keys in the server database (table `api_keys`). */
export function createApiKeys(db: Database.Database, clock: Clock): ApiKeys {
  return createApiKeysOver(sqliteApiKeyRows(db), clock);
}
