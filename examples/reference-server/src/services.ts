import { type Clock, systemClock } from '@bulwark/core';
import { createErrorCounter } from '@bulwark/errors';
import { createHealth } from '@bulwark/health';
import { createIdempotency, honoIdempotency, type IdempotencyStore } from '@bulwark/idempotency';
import { createRedisStore as createRedisIdempotencyStore } from '@bulwark/idempotency/redis';
import { createSqliteStore as createSqliteIdempotencyStore } from '@bulwark/idempotency/sqlite';
import { createMemoryStore, createRateLimiter } from '@bulwark/ratelimit';
import { createRedisStore as createRedisRateLimitStore } from '@bulwark/ratelimit/redis';
import { createSloRecorder } from '@bulwark/slo';
import { createRedisReplayStore } from '@bulwark/webhooks/redis';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { createAdminAuth, generateAdminToken } from './admin-auth.js';
import { redisRotationStore, settingsRotationStore } from './admin-token-rotation.js';
import type { AppEnv, AppServices } from './app-context.js';
import { createAuditLog } from './audit-log.js';
import { createApiKeys, createApiKeysOver } from './auth/api-keys.js';
import { createAuthThrottle, redisAuthBlocks } from './auth/auth-throttle.js';
import { createAuthenticator } from './auth/authenticator.js';
import { redisApiKeyRows } from './auth/redis-api-key-rows.js';
import { createClientAddress } from './client-address.js';
import type { Config } from './config.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { openServerDatabase } from './database.js';
import { createDeliveryFeature } from './delivery/delivery-feature.js';
import { createTargets } from './delivery/publish-targets.js';
import { createPublisher } from './delivery/publisher.js';
import { redisStorageUsage, sqliteStorageUsage } from './delivery/storage-usage.js';
import { createEmailSender, webhookSettings } from './email/email-feature.js';
import { createEmailStore } from './email/email-store.js';
import { createSqliteReplayStore } from './email/sqlite-replay-store.js';
import { serverHealthChecks } from './health-checks.js';
import { feedHistoryFromDispatcher, historyBreakerMetric } from './history/history-feed.js';
import { createMetricsHistory } from './history/metrics-history.js';
import { createMetrics } from './metrics.js';
import { createApiRateLimiter } from './rate-limiting.js';
import { connectRedis } from './redis-connection.js';
import { KEY_FILE, loadDataKeys } from './secrets/data-keys.js';
import { createSecretBox } from './secrets/secret-box.js';
import { createSettingsStore } from './settings-store.js';
import { createStorageHealth } from './storage-health.js';

/** Services plus what `main` must tell the operator (e.g. a generated admin token). */
export interface BuiltServices {
  readonly services: AppServices;
  /** Set when no ADMIN_TOKEN was configured and one was generated for this run. */
  readonly generatedAdminToken?: string;
}

/** How `createServices` runs what is not configuration. */
export interface ServiceOptions {
  /**
   * Deliver webhooks from a worker thread (`main` passes DELIVERY_THREAD). Needs the system
   * clock (the thread reads it) and a store another connection can open (a DATA_DIR or Redis);
   * otherwise delivery runs on this event loop.
   */
  readonly deliveryThread?: boolean;
}

/** Wires the shared services from configuration (embedded defaults when nothing is set). */
export function createServices(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  env: Record<string, string | undefined> = {},
  options: ServiceOptions = {},
): BuiltServices {
  // The embedded ledger and outbox keep state in this process: one process per DATA_DIR (a fleet shares Redis).
  // Taken before anything is written there (a generated key file, migrations).
  const dataDirLock =
    config.REDIS_URL === undefined && config.DATA_DIR !== ':memory:' ? lockDataDir(config.DATA_DIR) : undefined;
  try {
    return buildServices(config, logger, clock, env, dataDirLock, options);
  } catch (error) {
    dataDirLock?.release();
    throw error;
  }
}

function buildServices(
  config: Config,
  logger: Logger,
  clock: Clock,
  env: Record<string, string | undefined>,
  dataDirLock: DataDirLock | undefined,
  options: ServiceOptions,
): BuiltServices {
  const generatedAdminToken = config.ADMIN_TOKEN ? undefined : generateAdminToken();
  const metrics = createMetrics();
  const database = openServerDatabase(config.DATA_DIR);
  const settings = createSettingsStore(database.db);
  const dataKeys = loadDataKeys({
    configured: config.DATA_ENCRYPTION_KEYS,
    dataDir: config.DATA_DIR,
    production: config.BULWARK_ENV === 'production',
    shared: config.REDIS_URL !== undefined,
  });
  if (dataKeys.source === 'generated-file') {
    logger.warn(
      { keyFile: KEY_FILE },
      'SECRETS ARE ENCRYPTED WITH A KEY STORED IN DATA_DIR: set DATA_ENCRYPTION_KEYS (and BULWARK_ENV=production) before deploying',
    );
  }
  const redis = config.REDIS_URL ? connectRedis(config) : undefined;
  redis?.on('error', (error) => logger.warn({ err_message: error.message }, 'redis connection error'));
  const adminAuth = createAdminAuth({
    token: config.ADMIN_TOKEN ?? (generatedAdminToken as string),
    jwtSecret: config.ADMIN_JWT_SECRET,
    jwtAudience: config.ADMIN_JWT_AUDIENCE,
    jwtIssuer: config.ADMIN_JWT_ISSUER,
    jwtMaxTtlSeconds: config.ADMIN_JWT_MAX_TTL_SECONDS,
    // With Redis the rotation is shared by the fleet.
    rotation: (configured) =>
      redis
        ? redisRotationStore({ redis, prefix: config.REDIS_KEY_PREFIX, deadlineMs: config.AUTH_STORE_DEADLINE_MS })
        : settingsRotationStore(settings, configured),
    clock,
  });
  const history = createMetricsHistory({ clock });
  const delivery = createDeliveryFeature({
    config,
    clock,
    logger,
    metrics,
    secretBox: createSecretBox(dataKeys),
    dataKeys,
    onBreakerMetric: historyBreakerMetric(history),
    thread: options.deliveryThread === true && clock === systemClock,
  });
  feedHistoryFromDispatcher(history, delivery.dispatcher);
  const sender = createEmailSender({ ...env, EMAIL_PROVIDER: config.EMAIL_PROVIDER }, logger, clock);
  // With Redis, keys are shared by the fleet: created on one instance, they work (and are revoked) on all.
  const apiKeys = redis
    ? createApiKeysOver(
        redisApiKeyRows({ redis, prefix: config.REDIS_KEY_PREFIX, deadlineMs: config.AUTH_STORE_DEADLINE_MS }),
        clock,
      )
    : createApiKeys(database.db, clock);
  const idempotencyStore = (table: string): IdempotencyStore =>
    redis
      ? createRedisIdempotencyStore({ client: redis, prefix: `${config.REDIS_KEY_PREFIX}${table}:` })
      : createSqliteIdempotencyStore({ database: database.db, table, writes: database.writes.run });
  // One transaction per event-loop turn for the request path's writes on the server database.
  const usage = redis
    ? redisStorageUsage(redis, `${config.REDIS_KEY_PREFIX}usage:`)
    : sqliteStorageUsage(database.db, database.writes.run);
  delivery.dispatcher.on('attempt', (attempt) => {
    if (attempt.outcome !== 'retry') {
      usage
        .settle(attempt.messageId, attempt.endpointId)
        .catch((error: unknown) =>
          logger.warn(
            { err_message: error instanceof Error ? error.message : String(error) },
            'storage usage not settled',
          ),
        );
    }
  });
  const publishEvent = createPublisher({
    dispatcher: delivery.dispatcher,
    // Kept as long as the outbox keeps deliveries, so a reused id is caught for as long as it could collide.
    eventIds: createIdempotency({ store: idempotencyStore('event_ids'), ttlMs: 7 * 86_400_000, clock }),
    limiter: createRateLimiter({
      limit: config.PUBLISH_RATE_PER_SECOND,
      windowMs: 1_000,
      store: redis
        ? createRedisRateLimitStore({ client: redis, prefix: `${config.REDIS_KEY_PREFIX}publish-rl:` })
        : createMemoryStore({ clock }),
      deadlineMs: config.RATE_LIMIT_DEADLINE_MS,
      clock,
    }),
    usage,
    budgetBytes: config.STORAGE_BUDGET_BYTES_PER_KEY,
    endpointBudgetBytes: config.STORAGE_BUDGET_BYTES_PER_ENDPOINT,
    targets: createTargets(delivery.dispatcher, clock),
  });
  const publish: typeof publishEvent = async (...args) => {
    const result = await publishEvent(...args);
    if (!result.replayed) history.publish();
    return result;
  };
  const idempotencyKeys = honoIdempotency<Context<AppEnv>>(
    createIdempotency({ store: idempotencyStore('idempotency_keys'), clock }),
    {
      required: false,
      fingerprint: 'json',
      principal: (c) => c.get('principal')?.subject,
    },
  );
  const storageHealth = createStorageHealth(clock);
  const slo = createSloRecorder({ clock, objective: { target: 0.99, thresholdMs: 500 }, maxRoutes: 50 });
  slo.onBreachAlert((event) => logger.warn({ event: event.type, ...event }, 'slo_breach_alert'));
  const services: AppServices = {
    config,
    clock,
    logger,
    metrics,
    errors: createErrorCounter({ clock, onRecord: ({ code }) => history.error(code) }),
    history,
    adminAuth,
    apiKeys,
    authenticate: createAuthenticator(adminAuth, apiKeys),
    // With Redis, failed authentications are counted and blocked across the fleet.
    authThrottle: redis
      ? createAuthThrottle({
          clock,
          store: createRedisRateLimitStore({ client: redis, prefix: `${config.REDIS_KEY_PREFIX}auth-rl:` }),
          blocks: redisAuthBlocks({
            redis,
            prefix: config.REDIS_KEY_PREFIX,
            deadlineMs: config.AUTH_STORE_DEADLINE_MS,
          }),
          deadlineMs: config.RATE_LIMIT_DEADLINE_MS,
        })
      : createAuthThrottle({ clock }),
    clientAddress: createClientAddress(config.TRUSTED_PROXIES),
    settings,
    slo,
    rateLimiter: createApiRateLimiter(config, clock, logger, redis),
    redis,
    closers: [
      {
        name: 'delivery',
        close: async () => {
          // In-flight attempts get what is left of the shutdown budget; unfinished ones hand their leases back.
          await delivery.dispatcher.close({
            deadlineMs: Math.max(500, config.SHUTDOWN_DEADLINE_MS - config.SHUTDOWN_DRAIN_MS - 1_500),
          });
          await delivery.store.close();
        },
      },
      {
        name: 'database',
        close: async () => {
          await database.close();
          dataDirLock?.release();
        },
      },
      ...(redis
        ? [{ name: 'redis', close: async () => void (await redis.quit().catch(() => redis.disconnect())) }]
        : []),
    ],
    audit: createAuditLog({
      db: database.db,
      clock,
      onRecord: (record) => logger.info({ audit: record }, 'admin action'),
    }),
    database,
    email: {
      sender,
      store: createEmailStore(database.db),
      webhooks: webhookSettings(
        config,
        clock,
        redis
          ? createRedisReplayStore({ redis, prefix: `${config.REDIS_KEY_PREFIX}email-webhook-replay:` })
          : createSqliteReplayStore(database.db, clock),
        metrics,
      ),
    },
    delivery,
    features: new Set<string>(['slo', 'ratelimit']),
    publish,
    idempotencyKeys: idempotencyKeys as MiddlewareHandler<AppEnv>,
    storageHealth,
    health: createHealth({
      clock,
      checks: [
        ...serverHealthChecks({ database, settings, delivery, sender, redis, now: () => clock.now() }),
        storageHealth.check,
      ],
      onStatusChange: (result, error) =>
        logger[result.status === 'pass' ? 'info' : 'warn'](
          {
            check: result.name,
            status: result.status,
            code: result.code,
            ...(error instanceof Error ? { err_message: error.message } : {}),
          },
          'health check status changed',
        ),
    }),
  };
  return generatedAdminToken ? { services, generatedAdminToken } : { services };
}
