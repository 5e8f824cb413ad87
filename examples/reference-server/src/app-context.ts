import type { Clock } from '@bulwark/core';
import type { FailoverProvider } from '@bulwark/email';
import type { ErrorCounter } from '@bulwark/errors';
import type { RateLimiter } from '@bulwark/ratelimit';
import type { SloRecorder } from '@bulwark/slo';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AdminAuth, AdminPrincipal } from './admin-auth.js';
import type { AuditLog } from './audit-log.js';
import type { Config } from './config.js';
import type { ServerDatabase } from './database.js';
import type { DeliveryFeature } from './delivery/delivery-feature.js';
import type { WebhookSettings } from './email/email-feature.js';
import type { EmailStore } from './email/email-store.js';
import type { ServerMetrics } from './metrics.js';

/** A named check run by readiness and dependency health. */
export interface HealthCheck {
  readonly name: string;
  /** Resolves when healthy; rejects (or times out) when not. */
  check(signal: AbortSignal): Promise<unknown>;
}

/** Everything the routes share. Built once by `createServices`. */
export interface AppServices {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly errors: ErrorCounter;
  readonly adminAuth: AdminAuth;
  readonly audit: AuditLog;
  /** Latency/outcome per route; feeds `/admin/slo/recommend` and burn-rate alerts. */
  readonly slo: SloRecorder;
  /** Fail-closed limiter for the public API (memory store, or Redis with REDIS_URL). */
  readonly rateLimiter: RateLimiter;
  /** Shared Redis client when REDIS_URL is set. */
  readonly redis: Redis | undefined;
  /** Releases connections and stores; called once at shutdown. */
  readonly closers: Array<() => Promise<void> | void>;
  /** The server's embedded SQLite database (email events, suppressions, audit log). */
  readonly database: ServerDatabase;
  /** Email sending and ingestion. */
  readonly email: { sender: FailoverProvider; store: EmailStore; webhooks: WebhookSettings } | undefined;
  /** Webhook delivery (dispatcher, store, per-endpoint breakers). */
  readonly delivery: DeliveryFeature | undefined;
  readonly readinessChecks: HealthCheck[];
  readonly dependencyChecks: HealthCheck[];
  /** Optional features wired in (`delivery`, `email`, `slo`, `ratelimit`); the dashboard shows only these. */
  readonly features: Set<string>;
  /** Flips to true when shutdown starts; readiness reports 503 from then on. */
  readonly lifecycle: { shuttingDown: boolean };
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
    principal: AdminPrincipal;
  };
}
