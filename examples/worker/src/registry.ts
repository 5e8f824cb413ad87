import type { QueueEndpoint } from '@bulwark/delivery/cloudflare-queues';
import { err } from '@bulwark/errors';
import { generateSecret } from '@bulwark/webhooks';
import type { D1Like } from './env.js';
import { seal, unseal } from './sealed-secret.js';

/** A row of the `endpoints` table (migrations/0001_endpoints.sql). */
interface EndpointRow {
  readonly id: string;
  readonly url: string;
  readonly event_types: string;
  readonly enabled: number;
  readonly disabled_reason: string | null;
  readonly sealed_secret: string;
  readonly rate_limit: number | null;
  readonly rate_interval_ms: number | null;
  readonly failing_since: number | null;
  readonly created_at: number;
}

/** What an admin may send to create an endpoint, parsed strictly. */
export interface EndpointInput {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly rateLimit: { readonly limit: number; readonly intervalMs: number } | null;
}

const FIELDS = new Set(['url', 'eventTypes', 'rateLimit']);
const invalid = (detail: string) => err('validation_failed', { detail });

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`Expected \`${name}\` to be an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Parses an endpoint definition: known fields only, an http(s) URL without credentials, bounded lists and limits. */
export function parseEndpointInput(input: unknown): EndpointInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('Expected a JSON object');
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) throw invalid(`Unknown field \`${unknown.slice(0, 40)}\``);
  let url: URL;
  try {
    url = new URL(String(body.url));
  } catch {
    throw invalid('Expected `url` to be an absolute URL');
  }
  if (typeof body.url !== 'string' || body.url.length > 2048 || !/^https?:$/.test(url.protocol)) {
    throw invalid('Expected `url` to be an http(s) URL of at most 2048 characters');
  }
  if (url.username !== '' || url.password !== '') throw invalid('Expected `url` without credentials');
  const types = body.eventTypes ?? [];
  if (
    !Array.isArray(types) ||
    types.length > 50 ||
    !types.every((t) => typeof t === 'string' && /^[\w.-]{1,100}$/.test(t))
  ) {
    throw invalid('Expected `eventTypes` to be at most 50 event type names');
  }
  const rate = body.rateLimit ?? null;
  if (rate !== null && (typeof rate !== 'object' || Array.isArray(rate)))
    throw invalid('Expected `rateLimit` to be an object');
  const rateLimit =
    rate === null
      ? null
      : {
          limit: integer((rate as Record<string, unknown>).limit, 'rateLimit.limit', 1, 100_000),
          intervalMs: integer((rate as Record<string, unknown>).intervalMs, 'rateLimit.intervalMs', 1_000, 86_400_000),
        };
  return { url: body.url, eventTypes: types as string[], rateLimit };
}

/** The endpoint registry in D1; secrets sealed at rest. */
export function createRegistry(db: D1Like, secretsKey: string) {
  async function toEndpoint(row: EndpointRow): Promise<QueueEndpoint> {
    return {
      id: row.id,
      url: row.url,
      enabled: row.enabled === 1,
      eventTypes: JSON.parse(row.event_types) as string[],
      secrets: [{ secret: await unseal(row.sealed_secret, secretsKey), expiresAt: null }],
      rateLimit:
        row.rate_limit === null || row.rate_interval_ms === null
          ? null
          : { limit: row.rate_limit, intervalMs: row.rate_interval_ms },
      failingSince: row.failing_since,
    };
  }

  return {
    /** Creates an endpoint; the only time its secret is returned. */
    async create(input: EndpointInput, now: number): Promise<{ id: string; secret: string }> {
      const id = `ep_${crypto.randomUUID().replaceAll('-', '')}`;
      const secret = generateSecret().toString();
      await db
        .prepare(
          'INSERT INTO endpoints (id, url, event_types, sealed_secret, rate_limit, rate_interval_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .bind(
          id,
          input.url,
          JSON.stringify(input.eventTypes),
          await seal(secret, secretsKey),
          input.rateLimit?.limit ?? null,
          input.rateLimit?.intervalMs ?? null,
          now,
        )
        .run();
      return { id, secret };
    },
    async get(id: string): Promise<QueueEndpoint | undefined> {
      const row = await db.prepare('SELECT * FROM endpoints WHERE id = ?').bind(id).first<EndpointRow>();
      return row === null ? undefined : toEndpoint(row);
    },
    /** What the producer fans events out to: no URL, no secret (so nothing is opened per publish). */
    async subscribers(): Promise<Array<Pick<QueueEndpoint, 'id' | 'enabled' | 'eventTypes'>>> {
      const { results } = await db
        .prepare('SELECT id, event_types FROM endpoints WHERE enabled = 1 ORDER BY created_at, id')
        .all<Pick<EndpointRow, 'id' | 'event_types'>>();
      return results.map((row) => ({ id: row.id, enabled: true, eventTypes: JSON.parse(row.event_types) as string[] }));
    },
    /** Endpoints as admins see them: no secrets. */
    async view(): Promise<Array<Record<string, unknown>>> {
      const { results } = await db.prepare('SELECT * FROM endpoints ORDER BY created_at, id').all<EndpointRow>();
      return results.map((row) => ({
        id: row.id,
        url: row.url,
        enabled: row.enabled === 1,
        disabledReason: row.disabled_reason,
        eventTypes: JSON.parse(row.event_types) as string[],
        failingSince: row.failing_since,
      }));
    },
    async disable(id: string, reason: string): Promise<void> {
      await db.prepare('UPDATE endpoints SET enabled = 0, disabled_reason = ? WHERE id = ?').bind(reason, id).run();
    },
    async markFailing(id: string, since: number | null): Promise<void> {
      await db.prepare('UPDATE endpoints SET failing_since = ? WHERE id = ?').bind(since, id).run();
    },
    /** Records a dead letter once per `key`; recording the same key again changes nothing. */
    async recordDeadLetter(entry: {
      key: string;
      messageId: string | null;
      endpointId: string | null;
      error: string;
      /** `null` when Queues moved the message after `max_retries` (it does not say how many). */
      attempts: number | null;
      now: number;
    }): Promise<void> {
      await db
        .prepare(
          `INSERT INTO dead_letters (dedupe_key, message_id, endpoint_id, error, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (dedupe_key) DO NOTHING`,
        )
        .bind(entry.key, entry.messageId, entry.endpointId, entry.error, entry.attempts, entry.now)
        .run();
    },
    async deadLetters(): Promise<Array<Record<string, unknown>>> {
      const { results } = await db
        .prepare(
          'SELECT message_id AS messageId, endpoint_id AS endpointId, error, attempts FROM dead_letters ORDER BY id DESC LIMIT 100',
        )
        .all();
      return results;
    },
  };
}

/** The registry's interface. */
export type Registry = ReturnType<typeof createRegistry>;
