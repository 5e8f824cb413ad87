import type { Clock } from '@bulwark/core';
import type { AdminPrincipal } from './admin-auth.js';

/** One admin mutation. */
export interface AuditRecord {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target?: string;
  readonly requestId: string;
}

/** Append-only record of admin mutations (bounded in memory; newest first on read). */
export interface AuditLog {
  record(entry: { principal: AdminPrincipal; action: string; target?: string; requestId: string }): void;
  list(limit?: number): readonly AuditRecord[];
}

/** An in-process audit log that keeps the newest `capacity` records and mirrors each to `sink`. */
export function createAuditLog(options: {
  clock: Clock;
  capacity?: number;
  sink?: (record: AuditRecord) => void;
}): AuditLog {
  const capacity = options.capacity ?? 1_000;
  const records: AuditRecord[] = [];
  return {
    record({ principal, action, target, requestId }) {
      const entry: AuditRecord = Object.freeze({
        at: new Date(options.clock.now()).toISOString(),
        actor: `${principal.kind}:${principal.subject}`,
        action,
        ...(target === undefined ? {} : { target }),
        requestId,
      });
      records.push(entry);
      if (records.length > capacity) records.shift();
      options.sink?.(entry);
    },
    list(limit = 100) {
      return records.slice(-limit).reverse();
    },
  };
}
