import type { FailoverProvider } from '@bulwark/email';
import type { HealthCheck } from '@bulwark/health';
import type { ServerDatabase } from './database.js';
import type { BreakerView } from './delivery/delivery-dispatcher.js';
import type { DeliveryFeature } from './delivery/delivery-feature.js';
import type { RedisClient } from './redis-connection.js';
import type { SettingsStore } from './settings-store.js';

/** What the checks look at. */
export interface CheckTargets {
  readonly database: ServerDatabase;
  readonly settings: SettingsStore;
  readonly delivery: DeliveryFeature;
  readonly sender: FailoverProvider;
  readonly redis: RedisClient | undefined;
  readonly now: () => number;
}

/** Not ready while the delivery thread is down (it is started again after a crash). */
function deliveryThreadCheck(thread: NonNullable<DeliveryFeature['thread']>): HealthCheck {
  return {
    name: 'delivery_thread',
    intervalMs: 1_000,
    check: () => ({ healthy: thread.ready(), details: { restarts: thread.restarts() } }),
  };
}

function breakerDetails(breakers: BreakerView) {
  const list = Object.values(breakers.snapshot().breakers);
  const open = list.filter((b) => b.state === 'open' || b.state === 'forced_open');
  return {
    healthy: open.length === 0,
    details: {
      state: open.length > 0 ? 'open' : list.some((b) => b.state === 'half_open') ? 'half_open' : 'closed',
      breakers: list.map((b) => ({ name: b.name, state: b.state, retryAfterMs: b.retryAfterMs })),
    },
  };
}

/**
 * The server's health checks. Each is O(1): a schema read, a one-row write (so a full disk
 * fails readiness), a primary-key lookup in the delivery store, a PING. They run in the
 * background; probes read the cached results, so a probe flood never reaches storage.
 */
export function serverHealthChecks(targets: CheckTargets): HealthCheck[] {
  const { database, settings, delivery, sender, redis } = targets;
  return [
    {
      name: 'database',
      check: () => {
        const version = database.schemaVersion();
        return { healthy: version === database.expectedVersion, details: { schemaVersion: version } };
      },
    },
    { name: 'storage_write', check: () => settings.set('health.last_write_ms', String(targets.now())) },
    { name: 'delivery_store', check: async () => void (await delivery.store.getDelivery('health-probe')) },
    ...(delivery.thread ? [deliveryThreadCheck(delivery.thread)] : []),
    ...(redis ? [{ name: 'redis', check: async () => (await redis.ping()) === 'PONG' }] : []),
    // In-memory reads: refreshed every second so the dependencies view follows breaker transitions.
    {
      name: 'breakers:webhook-endpoints',
      critical: false,
      intervalMs: 1_000,
      check: () => breakerDetails(delivery.breakers),
    },
    ...Object.entries(sender.breakers).map(
      ([name, breaker]): HealthCheck => ({
        name: `breaker:email:${name}`,
        critical: false,
        intervalMs: 1_000,
        check: () => {
          const snapshot = breaker.snapshot();
          return { healthy: snapshot.state !== 'open', details: { state: snapshot.state } };
        },
      }),
    ),
  ];
}
