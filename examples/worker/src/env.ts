import type { QueueLike } from '@bulwark/delivery/cloudflare-queues';
import type { DurableObjectNamespaceLike } from '@bulwark/ratelimit/durable-object';

/** A D1 prepared statement, structurally (the part this Worker uses). */
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  run(): Promise<{ meta: { changes: number } }>;
}

/** A D1 database binding, structurally. */
export interface D1Like {
  prepare(sql: string): D1StatementLike;
}

/** The Worker's bindings (wrangler.toml) and secrets (`wrangler secret put`). */
export interface Env {
  readonly DB: D1Like;
  readonly RATE_LIMITER: DurableObjectNamespaceLike;
  readonly DELIVERIES: QueueLike;
  readonly DELIVERIES_DLQ: QueueLike;
  /** HS256 key of admin tokens, at least 32 bytes. */
  readonly ADMIN_JWT_SECRET: string;
  readonly ADMIN_JWT_ISSUER: string;
  readonly ADMIN_JWT_AUDIENCE: string;
  /** `whsec_…` secret(s) of the inbound webhook source, space-separated during a rotation. */
  readonly INBOUND_WEBHOOK_SECRET: string;
  /** AES-256-GCM key (base64, 32 bytes) sealing endpoint secrets at rest in D1. */
  readonly SECRETS_KEY: string;
  /** The outbound API behind the circuit breaker. */
  readonly UPSTREAM_URL: string;
  /** Requests per minute per client on public routes. Default `60`. */
  readonly RATE_LIMIT_PER_MINUTE?: string;
  /** The rate limiter's decision deadline, ms. Default `250`. */
  readonly RATE_LIMIT_DEADLINE_MS?: string;
  /** Delivery retry waits, comma-separated ms. Default: the delivery schedule (5 s … 12 h). */
  readonly RETRY_SCHEDULE_MS?: string;
  /** Egress allowlist (comma-separated) and plain http, for local tests only. */
  readonly EGRESS_ALLOW?: string;
  readonly EGRESS_ALLOW_HTTP?: string;
}

/** Reads a positive number setting, or `fallback` when unset; a bad value is a deploy error. */
export function numberSetting(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new TypeError(`Expected \`${name}\` to be a positive number`);
  return parsed;
}
