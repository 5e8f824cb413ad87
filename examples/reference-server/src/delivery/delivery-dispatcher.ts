import { join } from 'node:path';
import {
  type BreakerMetricName,
  type BreakerRegistry,
  createBreakerRegistry,
  type RegistrySnapshot,
} from '@bulwark/breaker';
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
import type { Config } from '../config.js';
import { restrictFiles } from '../database.js';
import { connectRedis } from '../redis-connection.js';
import { encryptingStore } from '../secrets/encrypting-store.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** What the dashboard and readiness read of the per-endpoint breakers. */
export interface BreakerView {
  snapshot(): RegistrySnapshot;
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
 * Opens a connection to the delivery store (`DATA_DIR/delivery.db`, or Redis with REDIS_URL),
 * endpoint secrets sealed at rest. Its own connection (closed by `store.close()`): the limiter's
 * client refuses to queue offline, and each thread opens its own.
 */
export function openDeliveryStore(config: Config, secretBox: SecretBox): DeliveryStore {
  const sqlitePath = config.DATA_DIR === ':memory:' ? ':memory:' : join(config.DATA_DIR, 'delivery.db');
  const store = encryptingStore(
    config.REDIS_URL ? redisDeliveryStore(config) : createSqliteStore({ path: sqlitePath }),
    secretBox,
  );
  if (!config.REDIS_URL && sqlitePath !== ':memory:') restrictFiles(sqlitePath);
  return store;
}

/**
 * The dispatcher over `store` with the server's policies: a breaker per endpoint, the default
 * per-endpoint limiter, egress rules, concurrency and schedule from the configuration. Metrics
 * and breaker transitions go to `hooks` (prom-client in process, or the thread's messages).
 */
export function buildDispatcher(options: {
  config: Config;
  clock: Clock;
  store: DeliveryStore;
  metrics: DeliveryMetrics;
  onBreakerMetric: (name: BreakerMetricName, breaker: string) => void;
}): { dispatcher: Dispatcher; breakers: BreakerRegistry } {
  const { config, clock, store } = options;
  const breakers = createBreakerRegistry({
    window: { type: 'count', size: 20 },
    minimumCalls: 5,
    failureRateThreshold: 50,
    openWaitMs: config.BREAKER_OPEN_WAIT_MS,
    halfOpenPermits: 1,
    clock,
    onMetric: options.onBreakerMetric,
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
    metrics: options.metrics,
    clock,
    concurrency: config.DELIVERY_CONCURRENCY,
    pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
    leaseMs: config.DELIVERY_LEASE_MS,
    ...(config.DELIVERY_RETRY_SCHEDULE_MS ? { retrySchedule: config.DELIVERY_RETRY_SCHEDULE_MS } : {}),
  });
  return { dispatcher, breakers };
}
