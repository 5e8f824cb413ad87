import type { EndpointRecord } from './store.js';

/**
 * Runs one attempt under a per-endpoint circuit breaker. `@bulwark/breaker`'s
 * `CircuitBreaker` satisfies it; a rejection branded `BrokenCircuitError` defers the delivery
 * by its `retryAfterMs` without counting an attempt.
 */
export interface EndpointCircuit {
  execute<T>(
    fn: (signal: AbortSignal) => PromiseLike<T> | T,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<T>;
}

/** A per-endpoint rate limiter; `@bulwark/ratelimit`'s `RateLimiter` satisfies it. */
export interface EndpointLimiter {
  limit(key: string): Promise<{ readonly allowed: boolean; readonly retryAfterMs: number }>;
}

/** Factories for per-endpoint isolation; each is called once per endpoint (again when its URL or rate limit changes). */
export interface EndpointPolicies {
  readonly circuit?: ((endpoint: EndpointRecord) => EndpointCircuit | undefined) | undefined;
  readonly limiter?: ((endpoint: EndpointRecord) => EndpointLimiter | undefined) | undefined;
}
