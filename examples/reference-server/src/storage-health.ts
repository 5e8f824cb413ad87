import type { Clock } from '@bulwark/core';
import type { HealthCheck } from '@bulwark/health';

/** Error codes that mean a write could not reach storage (a retry later can succeed). */
const OUTAGE_CODES = new Set(['storage_unavailable', 'delivery_store_unavailable', 'delivery_store_timeout']);

/** Storage failures seen by requests, as a readiness check. */
export interface StorageHealth {
  /** Notes an error a request answered with; storage outages mark storage unhealthy. */
  observe(error: unknown): void;
  /** Fails readiness for `windowMs` after the last storage outage a request met. */
  readonly check: HealthCheck;
}

/**
 * Readiness that follows what requests meet: a full disk or an unreachable store fails writes
 * while the probes' own small writes may still fit (a WAL reuses its file), so each outage a
 * request answers with 503 `storage_unavailable` (or a delivery store timeout) fails readiness
 * for `windowMs` and a load balancer sends traffic elsewhere meanwhile. An in-memory read: cheap
 * to run every second.
 */
export function createStorageHealth(clock: Clock, windowMs = 15_000): StorageHealth {
  let lastOutageAt: number | undefined;
  return {
    observe(error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && OUTAGE_CODES.has(code)) lastOutageAt = clock.now();
    },
    check: {
      name: 'storage_errors',
      intervalMs: 1_000,
      check: () => {
        const recent = lastOutageAt !== undefined && clock.now() - lastOutageAt < windowMs;
        return {
          healthy: !recent,
          details: lastOutageAt === undefined ? {} : { lastOutageAt: new Date(lastOutageAt).toISOString() },
        };
      },
    },
  };
}
