import type { EmailEvent, SuppressionEntry } from '@bulwark/email';
import type Database from 'better-sqlite3';

/** A stored email event, as the admin API shows it. */
export interface StoredEmailEvent {
  readonly id: number;
  readonly provider: string;
  readonly type: string;
  readonly recipient: string;
  readonly providerMessageId: string | null;
  readonly bounceKind: string | null;
  readonly occurredAt: string;
  readonly receivedAt: string;
}

/** The `email_events` table and the suppression list. */
export interface EmailStore {
  /** Stores events; ones already stored (same provider + event id) are skipped. Returns the new ones. */
  addEvents(events: readonly EmailEvent[], receivedAt: Date): EmailEvent[];
  addSuppressions(entries: readonly SuppressionEntry[], createdAt: Date): number;
  /** The suppressed addresses among `emails` (compared lower-cased). */
  suppressed(emails: readonly string[]): string[];
  recentEvents(limit: number): StoredEmailEvent[];
  suppressionCount(): number;
}

/** The email store over the server database. */
export function createEmailStore(db: Database.Database): EmailStore {
  const insertEvent = db.prepare(`
    INSERT OR IGNORE INTO email_events
      (provider, event_id, type, recipient, provider_message_id, bounce_kind, bounce_code, occurred_at, received_at, raw)
    VALUES (@provider, @eventId, @type, @recipient, @providerMessageId, @bounceKind, @bounceCode, @occurredAt, @receivedAt, @raw)`);
  const insertSuppression = db.prepare(`
    INSERT OR IGNORE INTO suppressions (email, reason, provider, provider_message_id, occurred_at, created_at)
    VALUES (@email, @reason, @provider, @providerMessageId, @occurredAt, @createdAt)`);
  const recent = db.prepare(`
    SELECT id, provider, type, recipient, provider_message_id AS providerMessageId, bounce_kind AS bounceKind,
           occurred_at AS occurredAt, received_at AS receivedAt
    FROM email_events ORDER BY id DESC LIMIT ?`);

  return {
    addEvents: (events, receivedAt) =>
      db.transaction(() =>
        events.filter(
          (event) =>
            insertEvent.run({
              provider: event.provider,
              eventId: event.eventId ?? null,
              type: event.type,
              recipient: event.recipient.trim().toLowerCase(),
              providerMessageId: event.providerMessageId ?? null,
              bounceKind: event.bounce?.kind ?? null,
              bounceCode: event.bounce?.code ?? null,
              occurredAt: event.occurredAt.toISOString(),
              receivedAt: receivedAt.toISOString(),
              raw: JSON.stringify(event.raw) ?? 'null',
            }).changes === 1,
        ),
      )(),
    addSuppressions: (entries, createdAt) =>
      db.transaction(() =>
        entries.reduce(
          (added, entry) =>
            added +
            insertSuppression.run({
              email: entry.email,
              reason: entry.reason,
              provider: entry.provider,
              providerMessageId: entry.providerMessageId ?? null,
              occurredAt: entry.occurredAt.toISOString(),
              createdAt: createdAt.toISOString(),
            }).changes,
          0,
        ),
      )(),
    suppressed(emails) {
      if (emails.length === 0) return [];
      const lowered = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
      const rows = db
        .prepare(`SELECT email FROM suppressions WHERE email IN (${lowered.map(() => '?').join(',')})`)
        .all(...lowered) as Array<{ email: string }>;
      return rows.map((r) => r.email);
    },
    recentEvents: (limit) => recent.all(limit) as StoredEmailEvent[],
    suppressionCount: () => (db.prepare('SELECT COUNT(*) AS n FROM suppressions').get() as { n: number }).n,
  };
}
