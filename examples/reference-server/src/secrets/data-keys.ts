import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One key-encryption key with its id (written into every ciphertext, so keys can rotate). */
export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The keys secrets are sealed with: `current` seals, every key in `byId` opens. */
export interface DataKeyRing {
  readonly current: DataKey;
  readonly byId: ReadonlyMap<string, DataKey>;
  /** Where the key came from, for the startup log. */
  readonly source: 'environment' | 'generated-file' | 'ephemeral';
}

const ENTRY = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/_-]{43}=?)$/;
/** File holding the embedded default key when none is configured (0600). */
export const KEY_FILE = 'data-encryption.key';

/** Parses `DATA_ENCRYPTION_KEYS`: `id:base64key[,id:base64key…]`, 32-byte keys, the first is current. */
export function parseDataKeys(text: string): DataKey[] {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const match = ENTRY.exec(entry);
      const key = match ? Buffer.from(match[2] as string, 'base64') : undefined;
      if (!match || key?.length !== 32) {
        throw new Error(`DATA_ENCRYPTION_KEYS entry ${i + 1} must be <id>:<base64 of 32 random bytes>`);
      }
      return { id: match[1] as string, key };
    });
  if (keys.length === 0) throw new Error('DATA_ENCRYPTION_KEYS is empty');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('DATA_ENCRYPTION_KEYS repeats a key id');
  return keys;
}

function ring(keys: DataKey[], source: DataKeyRing['source']): DataKeyRing {
  return { current: keys[0] as DataKey, byId: new Map(keys.map((k) => [k.id, k])), source };
}

/**
 * The key ring from the environment, or the embedded default: a key generated once into
 * `<DATA_DIR>/data-encryption.key` (0600). Production refuses the default: a key stored next
 * to the data it protects only guards against leaked backups of the database alone.
 */
export function loadDataKeys(options: {
  configured: string | undefined;
  dataDir: string;
  production: boolean;
  /** Several instances share the store (REDIS_URL): each must seal and open with the same keys. */
  shared?: boolean;
}): DataKeyRing {
  if (options.configured) return ring(parseDataKeys(options.configured), 'environment');
  if (options.shared) {
    throw new Error(
      'REDIS_URL needs DATA_ENCRYPTION_KEYS: every instance sharing the store must seal and open endpoint secrets with the same key',
    );
  }
  if (options.production) {
    throw new Error('BULWARK_ENV=production needs DATA_ENCRYPTION_KEYS (the key-encryption key for stored secrets)');
  }
  if (options.dataDir === ':memory:') return ring([{ id: 'ephemeral', key: randomBytes(32) }], 'ephemeral');
  const file = join(options.dataDir, KEY_FILE);
  if (!existsSync(file)) {
    writeFileSync(file, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return ring(parseDataKeys(readFileSync(file, 'utf8')), 'generated-file');
}
