import type { Clock } from '@bulwark/core';
import type Database from 'better-sqlite3';
import type { Principal } from './auth/principal.js';

/** One admin mutation. */
export interface AuditRecord {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target?: string;
  readonly requestId: string;
  /** Client address the request came from (after trusted-proxy resolution). */
  readonly source?: string;
}

/** Append-only record of admin mutations, durable in the server database (newest first on read). */
export interface AuditLog {
  record(entry: { principal: Principal; action: string; target?: string; requestId: string; source?: string }): void;
  list(limit?: number): readonly AuditRecord[];
}

interface Row {
  at: string;
  actor: string;
  action: string;
  target: string | null;
  request_id: string;
  source: string | null;
}

/** The audit log in table `audit_log`, mirrored to `onRecord` (the structured log). */
export function createAuditLog(options: {
  db: Database.Database;
  clock: Clock;
  onRecord?: (record: AuditRecord) => void;
}): AuditLog {
  const insert = options.db.prepare(
    'INSERT INTO audit_log (at, actor, action, target, request_id, source) VALUES (@at, @actor, @action, @target, @requestId, @source)',
  );
  const newest = options.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  return {
    record({ principal, action, target, requestId, source }) {
      const entry: AuditRecord = Object.freeze({
        at: new Date(options.clock.now()).toISOString(),
        actor: `${principal.kind}:${principal.subject}`,
        action,
        ...(target === undefined ? {} : { target }),
        requestId,
        ...(source === undefined ? {} : { source }),
      });
      insert.run({ target: null, source: null, ...entry });
      options.onRecord?.(entry);
    },
    list(limit = 100) {
      return (newest.all(Math.min(Math.max(1, limit), 1_000)) as Row[]).map((row) => ({
        at: row.at,
        actor: row.actor,
        action: row.action,
        ...(row.target === null ? {} : { target: row.target }),
        requestId: row.request_id,
        ...(row.source === null ? {} : { source: row.source }),
      }));
    },
  };
}
