/**
 * A durable webhook dispatcher as a library ({@link createDispatcher}): `publish()` writes an
 * outbox before resolving, leased workers sign (Standard Webhooks, `@bulwark/webhooks`) and POST
 * with undici, record every attempt, retry on a jittered schedule, honour `Retry-After`,
 * isolate endpoints with `@bulwark/breaker` and `@bulwark/ratelimit`, disable dead endpoints,
 * dead-letter what never succeeds ({@link Dispatcher.dlq}, {@link Dispatcher.redeliver}), and
 * prune succeeded deliveries after `retainSucceededMs` ({@link Dispatcher.prune}).
 * Egress is SSRF-guarded after DNS resolution ({@link createEgressGuard}). Stores implement
 * {@link DeliveryStore}: `@bulwark/delivery/sqlite` (embedded default) and
 * `@bulwark/delivery/redis` (fleets of workers). Node.js only.
 *
 * @module @bulwark/delivery
 */

export { CIRCUIT_RECHECK_MS } from './attempt-runner.js';
export { type DefaultPoliciesOptions, defaultPolicies } from './default-policies.js';
export { createStandardSigner, type Signer } from './default-signer.js';
export {
  createDispatcher,
  type Dispatcher,
  type DlqApi,
  type PublishInput,
  type PublishResult,
} from './dispatcher.js';
export {
  createEgressGuard,
  type EgressGuard,
  type EgressOptions,
  type HostResolver,
  type ResolvedAddress,
} from './egress-guard.js';
export { type EndpointInput, type EndpointUpdate, endpointInputSchema, endpointUpdateSchema } from './endpoint.js';
export type { EndpointsApi, EndpointView, EndpointWithSecret } from './endpoint-registry.js';
export { type DeliveryErrorCode, deliveryErrors } from './errors/codes.js';
export { DeliveryError, isDeliveryError } from './errors/delivery-error.js';
export { EgressRefusedError, isEgressRefusedError, type RefusedRange } from './errors/egress-refused-error.js';
export type {
  AttemptEvent,
  DeadLetterEvent,
  DispatcherEvents,
  EndpointDisabledEvent,
} from './events.js';
export { classifyAddress } from './internal/ip.js';
export { type DeliveryMetrics, type MetricLabels, noopMetrics } from './metrics.js';
export { type DispatcherOptions, parseWebhookReal } from './options.js';
export type { EndpointCircuit, EndpointLimiter, EndpointPolicies, PolicyEndpoint } from './policies.js';
export { DEFAULT_RETRY_SCHEDULE, parseRetryAfter, retryDelay } from './retry-schedule.js';
export type {
  AttemptRecord,
  ClaimedDelivery,
  ClaimOptions,
  Completion,
  DeliveryCounts,
  DeliveryRecord,
  DeliverySelector,
  DeliveryStatus,
  DeliveryStore,
  DisabledReason,
  DlqStats,
  EndpointRecord,
  EnqueueLease,
  HeldLease,
  ListDeliveriesOptions,
  NewDelivery,
  PruneOptions,
  StoredSecret,
} from './store.js';
export {
  createSimulatedTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';
export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.js';
// Not exported: the worker loop, retention pruner, endpoint registry class, emitter and IP parsing
// helpers are implementation details behind createDispatcher / classifyAddress.
