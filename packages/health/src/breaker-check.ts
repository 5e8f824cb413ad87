import type { HealthCheck } from './health-check.js';

/** The part of a `@bulwark/breaker` registry (or anything shaped like it) that a check reads. */
export interface BreakerRegistryLike {
  snapshot(): {
    readonly healthy: boolean;
    readonly breakers: Readonly<Record<string, { readonly state: string }>>;
  };
}

/** Options of {@link breakerRegistryCheck}. */
export interface BreakerRegistryCheckOptions {
  /** Check name. Default: `breakers`. */
  name?: string | undefined;
  /** Whether an open breaker fails readiness. Default: `false` (reported as degraded). */
  critical?: boolean | undefined;
  /** Refresh interval in ms. Default: the registry's. */
  intervalMs?: number | undefined;
}

/**
 * A check reporting a breaker registry: unhealthy while any breaker is open, with the open
 * breakers' names in `details`. Not critical by default: one open downstream should not take
 * the whole service out of the load balancer.
 *
 * @example
 * ```ts
 * health.register(breakerRegistryCheck(breakers));
 * ```
 */
export function breakerRegistryCheck(
  registry: BreakerRegistryLike,
  options: BreakerRegistryCheckOptions = {},
): HealthCheck {
  return {
    name: options.name ?? 'breakers',
    kind: 'readiness',
    critical: options.critical ?? false,
    intervalMs: options.intervalMs,
    check() {
      const snapshot = registry.snapshot();
      const open = Object.entries(snapshot.breakers)
        .filter(([, breaker]) => breaker.state === 'open' || breaker.state === 'forced_open')
        .map(([name]) => name);
      return { healthy: snapshot.healthy, details: { open } };
    },
  };
}
