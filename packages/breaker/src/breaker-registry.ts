import { systemClock } from '@bulwark/core';
import type { CircuitBreakerOptions } from './breaker-options.js';
import type { BreakerSnapshot } from './breaker-snapshot.js';
import { type CircuitBreaker, createCircuitBreaker } from './circuit-breaker.js';

/** One view of every breaker, for a `/health/dependencies` endpoint. */
export interface RegistrySnapshot {
  /** `false` when any breaker is `open` or `forced_open`. */
  readonly healthy: boolean;
  /** Epoch ms from the registry's default clock. */
  readonly takenAtMs: number;
  /** Snapshots by breaker name, in creation order. */
  readonly breakers: Readonly<Record<string, BreakerSnapshot>>;
}

/** Named breakers sharing defaults. Created by {@link createBreakerRegistry}. */
export interface BreakerRegistry {
  /**
   * The breaker called `name`, created on first use from the defaults merged with `options`
   * (later calls return the same breaker and ignore `options`).
   */
  get(name: string, options?: Omit<CircuitBreakerOptions, 'name'>): CircuitBreaker;
  /** Whether a breaker called `name` exists. */
  has(name: string): boolean;
  /** The breakers, in creation order. */
  list(): readonly CircuitBreaker[];
  /** Every breaker's snapshot plus an overall `healthy` flag. */
  snapshot(): RegistrySnapshot;
  /** Same as {@link BreakerRegistry.snapshot}. */
  toJSON(): RegistrySnapshot;
  /** Disposes and forgets every breaker. */
  dispose(): void;
}

/**
 * Creates a registry of named breakers with shared default options.
 *
 * @param defaults - Options applied to every breaker (per-breaker options win).
 * @throws {TypeError | RangeError} from `get`, when merged options are invalid.
 * @example
 * ```ts
 * const breakers = createBreakerRegistry({ failureRateThreshold: 50, onMetric });
 * await breakers.get('resend').execute((signal) => send(message, signal));
 * app.get('/health/dependencies', () => Response.json(breakers.snapshot()));
 * ```
 */
export function createBreakerRegistry(defaults: Omit<CircuitBreakerOptions, 'name'> = {}): BreakerRegistry {
  const breakers = new Map<string, CircuitBreaker>();
  const clock = defaults.clock ?? systemClock;

  function snapshot(): RegistrySnapshot {
    const entries: Record<string, BreakerSnapshot> = {};
    let healthy = true;
    for (const [name, breaker] of breakers) {
      const snap = breaker.snapshot();
      if (snap.state === 'open' || snap.state === 'forced_open') healthy = false;
      entries[name] = snap;
    }
    return Object.freeze({ healthy, takenAtMs: clock.now(), breakers: Object.freeze(entries) });
  }

  return {
    get(name, options) {
      let breaker = breakers.get(name);
      if (breaker === undefined) {
        breaker = createCircuitBreaker({ ...defaults, ...options, name });
        breakers.set(name, breaker);
      }
      return breaker;
    },
    has: (name) => breakers.has(name),
    list: () => [...breakers.values()],
    snapshot,
    toJSON: snapshot,
    dispose() {
      for (const breaker of breakers.values()) breaker.dispose();
      breakers.clear();
    },
  };
}
