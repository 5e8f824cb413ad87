import { type CircuitBreakerOptions, createCircuitBreaker } from '@bulwark/breaker';
import type { Clock, TimerProvider } from '@bulwark/core';
import { createRateLimiter, type Store } from '@bulwark/ratelimit';
import type { EndpointPolicies, PolicyEndpoint } from './policies.js';

/** Options of {@link defaultPolicies}. */
export interface DefaultPoliciesOptions {
  readonly clock?: Clock | undefined;
  readonly timers?: TimerProvider | undefined;
  /**
   * Breaker settings per endpoint (`name`, `clock`, `timers` are filled in).
   * @defaultValue `{ window: { type: 'count', size: 20 }, minimumCalls: 5, failureRateThreshold: 50, openWaitMs: 30000, halfOpenPermits: 1 }`
   */
  readonly breaker?: Omit<CircuitBreakerOptions, 'name' | 'clock' | 'timers'> | undefined;
  /** Shared rate-limit store (e.g. `@bulwark/ratelimit/redis`) so a fleet shares each endpoint's budget. @defaultValue one memory store per endpoint and process */
  readonly rateLimitStore?: Store | undefined;
}

/**
 * Per-endpoint isolation from our own packages (for the Node dispatcher and the Cloudflare Queues
 * consumer alike): a `@bulwark/breaker` circuit breaker for
 * every endpoint (a dead receiver is skipped, not hammered) and, for endpoints with a
 * `rateLimit`, a `@bulwark/ratelimit` GCRA limiter keyed by endpoint id. When a shared limiter
 * store fails, each process decides with half the endpoint's limit (`failMode: 'local'`): a
 * limiter outage neither stops deliveries nor lets them past the receiver's limit unchecked, and
 * nothing is logged as "configured to fail open" for a choice the operator never made.
 *
 * @param options - Clock/timers, breaker thresholds and a shared limiter store.
 * @example
 * ```ts
 * createDispatcher({ store, policies: defaultPolicies({ breaker: { openWaitMs: 60_000 } }) });
 * ```
 */
export function defaultPolicies(options: DefaultPoliciesOptions = {}): EndpointPolicies<PolicyEndpoint> {
  const { clock, timers } = options;
  const policies: EndpointPolicies<PolicyEndpoint> = {
    circuit: (endpoint) =>
      createCircuitBreaker({
        window: { type: 'count', size: 20 },
        minimumCalls: 5,
        failureRateThreshold: 50,
        openWaitMs: 30_000,
        halfOpenPermits: 1,
        ...options.breaker,
        name: `webhook-endpoint:${endpoint.id}`,
        clock,
        timers,
      }),
    limiter: (endpoint) =>
      endpoint.rateLimit
        ? createRateLimiter({
            limit: endpoint.rateLimit.limit,
            windowMs: endpoint.rateLimit.intervalMs,
            store: options.rateLimitStore,
            failMode: 'local',
            clock,
            timers,
          })
        : undefined,
  };
  return Object.freeze(policies);
}
