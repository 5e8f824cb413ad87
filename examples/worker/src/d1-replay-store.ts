import type { ReplayStore } from '@bulwark/webhooks';
import type { D1Like } from './env.js';

/** Claims between two sweeps of expired ids. */
const SWEEP_EVERY = 100;

/** A {@link ReplayStore} in D1 that can also give a claim back. */
export interface D1ReplayStore extends ReplayStore {
  claim(key: string, ttlMs: number, nowMs?: number): Promise<boolean>;
  /** Forgets `key`, so the sender's retry of a webhook that was not taken is accepted. */
  release(key: string): Promise<void>;
}

/**
 * The inbound webhooks' replay store in D1 (table `inbound_webhook_ids`, migrations/0002): one
 * `INSERT … ON CONFLICT` per claim, which the primary key decides atomically on D1's single
 * primary, so every isolate in every location sees the same answer. An expired id is claimed again
 * by the same statement; expired rows are swept in small batches every 100 claims of an isolate.
 * A D1 failure rejects the claim, and the verifier refuses the webhook (503, fail-closed).
 */
export function createD1ReplayStore(db: D1Like, clock: { now(): number } = { now: () => Date.now() }): D1ReplayStore {
  let claims = 0;
  return {
    async claim(key, ttlMs, nowMs = clock.now()) {
      if (++claims % SWEEP_EVERY === 0) {
        // Only bounds the table: an expired id is overwritten by its next claim anyway.
        await db
          .prepare(
            'DELETE FROM inbound_webhook_ids WHERE rowid IN (SELECT rowid FROM inbound_webhook_ids WHERE expires_at <= ? LIMIT 500)',
          )
          .bind(nowMs)
          .run();
      }
      const result = await db
        .prepare(
          `INSERT INTO inbound_webhook_ids (key, expires_at) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE inbound_webhook_ids.expires_at <= ?`,
        )
        .bind(key, nowMs + ttlMs, nowMs)
        .run();
      return result.meta.changes === 1;
    },
    async release(key) {
      await db.prepare('DELETE FROM inbound_webhook_ids WHERE key = ?').bind(key).run();
    },
  };
}
