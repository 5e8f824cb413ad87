import { join } from 'node:path';
import { type BreakerMetricName, type BreakerRegistry, createBreakerRegistry } from '@bulwark/breaker';
import type { Clock } from '@bulwark/core';
import {
  createDispatcher,
  type DeliveryMetrics,
  type DeliveryStore,
  type Dispatcher,
  defaultPolicies,
} from '@bulwark/delivery';
import { createRedisStore } from '@bulwark/delivery/redis';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { restrictFiles } from '../database.js';
import type { ServerMetrics } from '../metrics.js';
import { connectRedis } from '../redis-connection.js';
import { encryptingStore } from '../secrets/encrypting-store.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** The webhook dispatcher, its store and the per-endpoint breakers. */
export interface DeliveryFeature {
  readonly dispatcher: Dispatcher;
  readonly store: DeliveryStore;
  readonly breakers: BreakerRegistry;
}

/** Forwards the dispatcher's metric hook to prom-client. */
function promDeliveryMetrics(metrics: ServerMetrics): DeliveryMetrics {
  return {
    // Webhook counters carry simulated="true" when WEBHOOK_REAL is off: nothing was sent.
    increment: (name, labels) =>
      metrics.events.inc(labels?.simulated ? { name, simulated: labels.simulated } : { name }),
    observe: (name, value) => metrics.gauges.set({ name: `${name}.last` }, value),
    gauge: (name, value, labels) =>
      metrics.gauges.set({ name: labels?.endpoint ? `${name}:${labels.endpoint}` : name }, value),
  };
}

/**
 * The outbox in Redis. On a Redis Cluster an acknowledged publish is on a replica too
 * (`waitReplicas: 1`): a master that dies right after acknowledging it cannot lose it.
 */
export function redisDeliveryStore(config: Config): DeliveryStore {
  const prefix = `${config.REDIS_KEY_PREFIX}delivery:`;
  if (!config.REDIS_CLUSTER) return createRedisStore({ connection: config.REDIS_URL as string, prefix });
  const client = connectRedis(config);
  client.on('error', () => {}); // failures reach the callers as typed store errors
  const store = createRedisStore({ connection: client, prefix, waitReplicas: 1 });
  return {
    ...store,
    close: async () => {
      await store.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * Builds delivery on embedded defaults (SQLite in DATA_DIR) or Redis with REDIS_URL.
 * Real egress only with WEBHOOK_REAL=1; private/loopback receivers need WEBHOOK_EGRESS_ALLOW.
 */
export function createDeliveryFeature(options: {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: ServerMetrics;
  /** Seals endpoint signing secrets at rest. */
  secretBox: SecretBox;
  /** Also told every breaker transition (the dashboard history). */
  onBreakerMetric?: (name: BreakerMetricName, breaker: string) => void;
}): DeliveryFeature {
  const { config, clock, logger, metrics } = options;
  // Its own connection (closed by store.close()): the limiter's client refuses to queue offline.
  const sqlitePath = config.DATA_DIR === ':memory:' ? ':memory:' : join(config.DATA_DIR, 'delivery.db');
  const store = encryptingStore(
    config.REDIS_URL ? redisDeliveryStore(config) : createSqliteStore({ path: sqlitePath }),
    options.secretBox,
  );
  if (!config.REDIS_URL && sqlitePath !== ':memory:') restrictFiles(sqlitePath);
  const breakers = createBreakerRegistry({
    window: { type: 'count', size: 20 },
    minimumCalls: 5,
    failureRateThreshold: 50,
    openWaitMs: config.BREAKER_OPEN_WAIT_MS,
    halfOpenPermits: 1,
    clock,
    onMetric: (name, breaker) => {
      metrics.events.inc({ name });
      options.onBreakerMetric?.(name, breaker);
      if (name !== 'breaker.rejections') logger.warn({ breaker, transition: name }, 'circuit breaker transition');
    },
  });
  const limiter = defaultPolicies({ clock }).limiter;
  const dispatcher = createDispatcher({
    store,
    real: config.WEBHOOK_REAL,
    egress: {
      allow: (config.WEBHOOK_EGRESS_ALLOW ?? '').split(/[\s,]+/).filter(Boolean),
      allowHttp: config.WEBHOOK_ALLOW_HTTP,
    },
    policies: { circuit: (endpoint) => breakers.get(`webhook:${endpoint.id}`), ...(limiter ? { limiter } : {}) },
    metrics: promDeliveryMetrics(metrics),
    clock,
    concurrency: config.DELIVERY_CONCURRENCY,
    pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
    leaseMs: config.DELIVERY_LEASE_MS,
    ...(config.DELIVERY_RETRY_SCHEDULE_MS ? { retrySchedule: config.DELIVERY_RETRY_SCHEDULE_MS } : {}),
  });
  if (!config.WEBHOOK_REAL) {
    logger.warn(
      { event: 'webhook_egress_simulated' },
      'WEBHOOK_REAL is off: webhook deliveries are simulated (recorded as succeeded, never sent; marked simulated)',
    );
  }
  dispatcher.on('attempt', (event) => {
    if (event.simulated) {
      logger.info(
        { event: 'webhook_simulated', deliveryId: event.deliveryId, endpointId: event.endpointId },
        'webhook delivery simulated: nothing was sent',
      );
    }
  });
  dispatcher.on('endpointDisabled', (event) =>
    logger.warn({ event: 'endpoint_disabled', ...event }, 'webhook endpoint disabled'),
  );
  dispatcher.on('deadLetter', (event) =>
    logger.warn({ event: 'dead_letter', ...event }, 'webhook delivery dead-lettered'),
  );
  dispatcher.on('error', (error) =>
    logger.error({ err_message: error instanceof Error ? error.message : String(error) }, 'delivery loop error'),
  );
  return { dispatcher, store, breakers };
}
