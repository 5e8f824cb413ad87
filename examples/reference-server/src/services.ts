import { type Clock, systemClock } from '@bulwark/core';
import { createErrorCounter } from '@bulwark/errors';
import { redisClientOptions } from '@bulwark/ratelimit/redis';
import { createSloRecorder } from '@bulwark/slo';
import { createMemoryReplayStore } from '@bulwark/webhooks';
import { createRedisReplayStore } from '@bulwark/webhooks/redis';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAdminAuth, generateAdminToken } from './admin-auth.js';
import type { AppServices } from './app-context.js';
import { createAuditLog } from './audit-log.js';
import type { Config } from './config.js';
import { openServerDatabase } from './database.js';
import { createDeliveryFeature } from './delivery/delivery-feature.js';
import { createEmailSender, webhookSettings } from './email/email-feature.js';
import { createEmailStore } from './email/email-store.js';
import { createMetrics } from './metrics.js';
import { createApiRateLimiter } from './rate-limiting.js';

/** Services plus what `main` must tell the operator (e.g. a generated admin token). */
export interface BuiltServices {
  readonly services: AppServices;
  /** Set when no ADMIN_TOKEN was configured and one was generated for this run. */
  readonly generatedAdminToken?: string;
}

/** Wires the shared services from configuration (embedded defaults when nothing is set). */
export function createServices(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  env: Record<string, string | undefined> = {},
): BuiltServices {
  const generatedAdminToken = config.ADMIN_TOKEN ? undefined : generateAdminToken();
  const metrics = createMetrics();
  const database = openServerDatabase(config.DATA_DIR);
  const insertAudit = database.db.prepare(
    'INSERT INTO audit_log (at, actor, action, target, request_id) VALUES (@at, @actor, @action, @target, @requestId)',
  );
  const delivery = createDeliveryFeature({ config, clock, logger, metrics });
  const sender = createEmailSender({ ...env, EMAIL_PROVIDER: config.EMAIL_PROVIDER }, logger, clock);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, redisClientOptions({ lazyConnect: false })) : undefined;
  redis?.on('error', (error) => logger.warn({ err_message: error.message }, 'redis connection error'));
  const slo = createSloRecorder({ clock, objective: { target: 0.99, thresholdMs: 500 }, maxRoutes: 50 });
  slo.onBreachAlert((event) => logger.warn({ event: event.type, ...event }, 'slo_breach_alert'));
  const services: AppServices = {
    config,
    clock,
    logger,
    metrics,
    errors: createErrorCounter({ clock }),
    adminAuth: createAdminAuth({
      token: config.ADMIN_TOKEN ?? (generatedAdminToken as string),
      jwtSecret: config.ADMIN_JWT_SECRET,
    }),
    slo,
    rateLimiter: createApiRateLimiter(config, clock, logger, redis),
    redis,
    closers: [
      async () => {
        await delivery.dispatcher.close({ deadlineMs: config.SHUTDOWN_DEADLINE_MS });
        await delivery.store.close();
      },
      () => database.close(),
      ...(redis ? [async () => void (await redis.quit().catch(() => redis.disconnect()))] : []),
    ],
    audit: createAuditLog({
      clock,
      sink: (record) => {
        insertAudit.run({ target: null, ...record });
        logger.info({ audit: record }, 'admin action');
      },
    }),
    database,
    email: {
      sender,
      store: createEmailStore(database.db),
      webhooks: webhookSettings(
        config,
        clock,
        redis
          ? createRedisReplayStore({ redis, prefix: 'bulwark:email-webhook-replay:' })
          : createMemoryReplayStore({ clock }),
        metrics,
      ),
    },
    delivery,
    readinessChecks: [
      {
        name: 'database',
        check: async () => {
          const version = database.schemaVersion();
          if (version !== database.expectedVersion)
            throw new Error(`schema at ${version}, expected ${database.expectedVersion}`);
          return { schemaVersion: version };
        },
      },
      {
        name: 'delivery_store',
        check: async () => {
          const { pending, dead } = await delivery.dispatcher.stats();
          return { pending, dead };
        },
      },
      ...(redis ? [{ name: 'redis', check: () => redis.ping() }] : []),
    ],
    dependencyChecks: [
      {
        name: 'breakers:webhook-endpoints',
        check: async () => {
          const breakers = Object.values(delivery.breakers.snapshot().breakers);
          const open = breakers.filter((b) => b.state === 'open').map((b) => b.name);
          return {
            healthy: open.length === 0,
            state: open.length > 0 ? 'open' : breakers.some((b) => b.state === 'half_open') ? 'half_open' : 'closed',
            summary: open.length > 0 ? `open: ${open.join(', ')}` : `${breakers.length} endpoint breakers`,
            breakers: breakers.map((b) => ({ name: b.name, state: b.state, retryAfterMs: b.retryAfterMs })),
          };
        },
      },
      ...Object.entries(sender.breakers).map(([name, breaker]) => ({
        name: `breaker:email:${name}`,
        check: async () => {
          const snapshot = breaker.snapshot();
          return {
            healthy: snapshot.state !== 'open',
            state: snapshot.state,
            summary: `${snapshot.window.calls} calls, failure rate ${snapshot.window.failureRate ?? 0}%`,
          };
        },
      })),
      ...(redis ? [{ name: 'redis', check: () => redis.ping() }] : []),
    ],
    features: new Set<string>(['slo', 'ratelimit']),
    lifecycle: { shuttingDown: false },
  };
  return generatedAdminToken ? { services, generatedAdminToken } : { services };
}
