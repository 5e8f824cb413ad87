import type { Signer } from './default-signer.js';
import type { DispatcherEvents, Emitter } from './events.js';
import type { DeliveryMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { EndpointPolicies } from './policies.js';
import type { DeliveryStore, EndpointRecord } from './store.js';
import type { Transport } from './transport.js';

/** Everything the worker needs; assembled and validated by `createDispatcher`. */
export interface WorkerConfig
  extends Pick<
    ResolvedOptions,
    | 'clock'
    | 'timers'
    | 'random'
    | 'concurrency'
    | 'maxInflightPerEndpoint'
    | 'prefetch'
    | 'leaseMs'
    | 'pollIntervalMs'
    | 'retrySchedule'
    | 'retryJitter'
    | 'maxRetryAfterMs'
    | 'autoDisableAfterMs'
  > {
  readonly store: DeliveryStore;
  readonly transport: Transport;
  readonly sign: Signer;
  readonly metrics: DeliveryMetrics;
  readonly events: Emitter<DispatcherEvents>;
  readonly policies: EndpointPolicies;
  readonly endpoint: (id: string) => Promise<EndpointRecord | undefined>;
  readonly disableEndpoint: (endpoint: EndpointRecord, reason: 'gone' | 'failing') => Promise<void>;
  readonly markFailing: (endpoint: EndpointRecord, failingSince: number | null) => Promise<void>;
}
