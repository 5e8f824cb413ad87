import type { Clock } from '@bulwark/core';
import type { FailoverProvider } from '@bulwark/email';
import type { ErrorCounter } from '@bulwark/errors';
import type { Health } from '@bulwark/health';
import type { RateLimiter } from '@bulwark/ratelimit';
import type { SloRecorder } from '@bulwark/slo';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AdminAuth } from './admin-auth.js';
import type { AuditLog } from './audit-log.js';
import type { ApiKeys } from './auth/api-keys.js';
import type { AuthThrottle } from './auth/auth-throttle.js';
import type { Authenticator } from './auth/authenticator.js';
import type { Principal } from './auth/principal.js';
import type { ClientAddress } from './client-address.js';
import type { Config } from './config.js';
import type { ServerDatabase } from './database.js';
import type { DeliveryFeature } from './delivery/delivery-feature.js';
import type { Publisher } from './delivery/publisher.js';
import type { WebhookSettings } from './email/email-feature.js';
import type { EmailStore } from './email/email-store.js';
import type { MetricsHistory } from './history/metrics-history.js';
import type { ServerMetrics } from './metrics.js';
import type { RedisClient } from './redis-connection.js';
import type { SettingsStore } from './settings-store.js';
import type { StorageHealth } from './storage-health.js';

/** Everything the routes share. Built once by `createServices`. */
export interface AppServices {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly errors: ErrorCounter;
  readonly adminAuth: AdminAuth;
  /** Publisher and sender keys (stored hashed). */
  readonly apiKeys: ApiKeys;
  /** Resolves any bearer credential to a principal. */
  readonly authenticate: Authenticator;
  /** Failed authentications per source address. */
  readonly authThrottle: AuthThrottle;
  /** Client address of a request (trusted proxies honoured). */
  readonly clientAddress: ClientAddress;
  /** Durable small state (admin token rotation). */
  readonly settings: SettingsStore;
  readonly audit: AuditLog;
  /** Latency/outcome per route; feeds `/admin/slo/recommend` and burn-rate alerts. */
  readonly slo: SloRecorder;
  /** Fail-closed limiter for the public API (memory store, or Redis with REDIS_URL). */
  readonly rateLimiter: RateLimiter;
  /** Shared Redis client when REDIS_URL is set. */
  readonly redis: RedisClient | undefined;
  /** Releases connections and stores, in closing order; run once at shutdown. */
  readonly closers: ReadonlyArray<{ readonly name: string; close(): Promise<void> | void }>;
  /** The server's embedded SQLite database (email events, suppressions, audit log). */
  readonly database: ServerDatabase;
  /** Email sending and ingestion. */
  readonly email: { sender: FailoverProvider; store: EmailStore; webhooks: WebhookSettings } | undefined;
  /** Webhook delivery (dispatcher, store, per-endpoint breakers). */
  readonly delivery: DeliveryFeature | undefined;
  /** Publishes an event with the per-key rate, storage budget and event-id integrity. */
  readonly publish: Publisher;
  /** `Idempotency-Key` middleware (optional header; stored responses replayed per API key). */
  readonly idempotencyKeys: MiddlewareHandler<AppEnv>;
  /** Cached liveness/readiness checks; readiness fails from the moment shutdown begins. */
  readonly health: Health;
  /** Storage outages met by requests, failing readiness for a while. */
  readonly storageHealth: StorageHealth;
  /** Time-bucketed history of deliveries, publishes, errors, latency, breakers and DLQ depth (the dashboard's charts). */
  readonly history: MetricsHistory;
  /** Optional features wired in (`delivery`, `email`, `slo`, `ratelimit`); the dashboard shows only these. */
  readonly features: Set<string>;
}

/**
 * Counts an error by code, in the admin counter and in Prometheus (the two views of
 * `/admin/errors` and `/metrics`). Returns the code counted.
 */
export function countError(services: Pick<AppServices, 'errors' | 'metrics'>, error: unknown): string {
  const code = services.errors.record(error);
  services.metrics.errors.inc({ code });
  return code;
}

/** Hono context variables set by the server's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    source: string;
  };
}
