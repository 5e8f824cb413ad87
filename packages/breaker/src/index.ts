/**
 * Circuit breakers with resilience4j-grade semantics ({@link createCircuitBreaker}): count-
 * and time-based sliding windows without timers, failure- and slow-call-rate thresholds,
 * exact half-open permits, generation-guarded results, per-call timeouts, caller aborts that
 * are not failures, events and a metrics hook. Plus named breakers
 * ({@link createBreakerRegistry}), a bulkhead ({@link createBulkhead}), a timeout policy
 * ({@link createTimeout}) and {@link wrap} to compose them in the documented order.
 * Runs on Node.js and edge runtimes.
 *
 * @module
 */
export type {
  BreakerEventMap,
  BreakerEventName,
  FailureEvent,
  IgnoredEvent,
  OpenEvent,
  RejectedEvent,
  StateChangeEvent,
  SuccessEvent,
} from './breaker-events.js';
export type { BreakerMetricName, CircuitBreakerOptions } from './breaker-options.js';
export { type BreakerRegistry, createBreakerRegistry, type RegistrySnapshot } from './breaker-registry.js';
export type { BreakerSnapshot } from './breaker-snapshot.js';
export { type Bulkhead, type BulkheadOptions, createBulkhead } from './bulkhead.js';
export { type CircuitBreaker, createCircuitBreaker } from './circuit-breaker.js';
export {
  BrokenCircuitError,
  type BrokenCircuitInit,
  isBrokenCircuitError,
  type RejectionReason,
} from './errors/broken-circuit-error.js';
export { BulkheadFullError, isBulkheadFullError } from './errors/bulkhead-full-error.js';
export { CallTimeoutError, isCallTimeoutError } from './errors/call-timeout-error.js';
export { type BreakerErrorCode, breakerErrors } from './errors/codes.js';
export type { ExecuteOptions, Policy } from './policy.js';
export type { WindowOptions } from './sliding-window.js';
export type { CircuitState } from './state-machine.js';
export { createTimeout, type TimeoutOptions } from './timeout.js';
export type { TripDetails, TripReason } from './trip-details.js';
export { type WrapOptions, wrap } from './wrap.js';
// Not exported: the state machine, windows and event hub are implementation details; the
// facade above is the supported surface.
