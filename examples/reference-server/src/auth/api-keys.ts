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

/** Publisher and sender keys: created and shown once, stored as a SHA-256 digest, revocable. */
export interface ApiKeys {
  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  create(name: string, scopes: readonly Scope[]): { id: string; key: string };
  /** Revokes a key; false when no live key has that id. */
  revoke(id: string): boolean;
  /** Every key, newest first, without secrets. */
  list(): readonly ApiKeyRecord[];
  /** The live key matching a presented credential, or undefined (constant time in the secret). */
  verify(credential: string): ApiKeyRecord | undefined;
}

/** Prefix of every API key, so a leaked one is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'bwk_';
const KEY_FORMAT = /^bwk_([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;
const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
// Compared against when the id is unknown, so an unknown id costs what a wrong secret costs.
const DECOY = digest('decoy');

interface Row {
  id: string;
  name: string;
  scopes: string;
  secret_sha256: Buffer;
  created_at: string;
  revoked_at: string | null;
}

const toRecord = (row: Row): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  scopes: JSON.parse(row.scopes) as Scope[],
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** Rows kept in memory for `verify` (by key id, which is not secret). */
const CACHE_MAX = 1_000;
/**
 * How long a cached row is trusted: a revocation through this process drops it at once; one
 * written to the file by another process is seen within this long.
 */
const CACHE_TTL_MS = 1_000;

/**
 * API keys in the server database (table `api_keys`). Secrets are 256-bit random, so one
 * SHA-256 is enough. `verify` keeps the rows it read (id, stored digest, scopes) for
 * {@link CACHE_TTL_MS}, at most {@link CACHE_MAX}, so a publish costs no database read; the
 * presented secret is still hashed and compared in constant time on every call.
 */
export function createApiKeys(db: Database.Database, clock: Clock): ApiKeys {
  const insert = db.prepare(
    'INSERT INTO api_keys (id, name, scopes, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const all = db.prepare('SELECT * FROM api_keys ORDER BY created_at DESC, id');
  const cache = new Map<string, { row: Row; record: ApiKeyRecord; at: number }>();
  const lookup = (id: string): { row: Row; record: ApiKeyRecord } | undefined => {
    const now = clock.now();
    const hit = cache.get(id);
    if (hit && now - hit.at < CACHE_TTL_MS && now >= hit.at) return hit;
    cache.delete(id);
    const row = byId.get(id) as Row | undefined;
    if (!row) return undefined;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    const record = toRecord(row);
    const entry = { row, record: Object.freeze({ ...record, scopes: Object.freeze(record.scopes) }), at: now };
    cache.set(id, entry);
    return entry;
  };
  return {
    create(name, scopes) {
      const id = randomBytes(12).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      insert.run(id, name, JSON.stringify(scopes), digest(secret), new Date(clock.now()).toISOString());
      return { id, key: `${API_KEY_PREFIX}${id}.${secret}` };
    },
    revoke: (id) => {
      cache.delete(id);
      return revoke.run(new Date(clock.now()).toISOString(), id).changes === 1;
    },
    list: () => (all.all() as Row[]).map(toRecord),
    verify(credential) {
      const match = KEY_FORMAT.exec(credential);
      if (!match) return undefined;
      const found = lookup(match[1] as string);
      const presented = digest(match[2] as string);
      const equal = timingSafeEqual(presented, found?.row.secret_sha256 ?? DECOY);
      return found && equal && found.row.revoked_at === null ? found.record : undefined;
    },
  };
}
