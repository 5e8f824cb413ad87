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

/** What the default policies read of an endpoint: its id and its rate limit. */
export interface PolicyEndpoint {
  readonly id: string;
  /** At most `limit` deliveries per `intervalMs`; `null` or omitted = unlimited. */
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number } | null | undefined;
}

/**
 * Factories for per-endpoint isolation; each is called once per endpoint (again when its URL or
 * rate limit changes). `E` is the endpoint shape they receive: {@link EndpointRecord} in the
 * Node dispatcher, `QueueEndpoint` in the Cloudflare Queues consumer.
 */
export interface EndpointPolicies<E extends PolicyEndpoint = EndpointRecord> {
  readonly circuit?: ((endpoint: E) => EndpointCircuit | undefined) | undefined;
  readonly limiter?: ((endpoint: E) => EndpointLimiter | undefined) | undefined;
}
