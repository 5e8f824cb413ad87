import { createHash } from 'node:crypto';
import type { Clock } from '@bulwark/core';
import type { ReplayStore } from '@bulwark/webhooks';
import type Database from 'better-sqlite3';

const SWEEP_EVERY = 1_000;

/**
 * A replay store in the server database (table `replay_keys`), so a captured webhook signature
 * stays refused after a restart on one host (several hosts share Redis instead). Keys are stored
 * as SHA-256 digests; expired rows are swept in small batches.
 */
export function createSqliteReplayStore(db: Database.Database, clock: Clock): ReplayStore {
  const claimRow = db.prepare(
    `INSERT INTO replay_keys (key, expires_at) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_keys.expires_at <= ?`,
  );
  const sweep = db.prepare(
    'DELETE FROM replay_keys WHERE rowid IN (SELECT rowid FROM replay_keys WHERE expires_at <= ? LIMIT 500)',
  );
  let claims = 0;
  return {
    claim(key, ttlMs) {
      const now = clock.now();
      if (++claims % SWEEP_EVERY === 0) sweep.run(now);
      const digest = createHash('sha256').update(key, 'utf8').digest('hex');
      return claimRow.run(digest, now + ttlMs, now).changes === 1;
    },
  };
}
