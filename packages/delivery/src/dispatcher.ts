import { z } from 'zod/v4';
import { defaultPolicies } from './default-policies.js';
import { createStandardSigner } from './default-signer.js';
import { parseInput, randomId } from './endpoint.js';
import { EndpointRegistry, type EndpointsApi } from './endpoint-registry.js';
import { DeliveryError } from './errors/delivery-error.js';
import { type DispatcherEvents, Emitter } from './events.js';
import { PendingSet } from './internal/pending-set.js';
import { noopMetrics } from './metrics.js';
import { assertRetention, type DispatcherOptions, resolveOptions } from './options.js';
import { RetentionPruner } from './retention.js';
import type { AttemptRecord, DeliveryCounts, DeliveryRecord, DlqStats, NewDelivery } from './store.js';
import { createSimulatedTransport } from './transport.js';
import { createUndiciTransport } from './undici-transport.js';
import { DeliveryWorker } from './worker.js';

/** An event to fan out to every enabled endpoint subscribed to its `type`. */
export interface PublishInput {
  /** Event type, e.g. `invoice.paid`. */
  type: string;
  /** The event data; must be JSON-serializable. */
  payload: unknown;
  /** Stable message id (idempotency key); generated (`msg_…`) when omitted. */
  id?: string | undefined;
}

/** What `publish` persisted. */
export interface PublishResult {
  /** Sent as `webhook-id` on every attempt, to every endpoint. */
  readonly messageId: string;
  /** One per matching endpoint (`<messageId>:<endpointId>`). */
  readonly deliveryIds: readonly string[];
}

/** Dead-letter queue operations (`dispatcher.dlq`). */
export interface DlqApi {
  stats(): Promise<DlqStats>;
  list(options?: {
    endpointId?: string | undefined;
    limit?: number | undefined;
    after?: string | undefined;
  }): Promise<DeliveryRecord[]>;
  /** Requeues dead deliveries by id, or every dead delivery of an endpoint (all of them with `{}`). */
  requeue(selector: readonly string[] | { endpointId?: string | undefined }): Promise<number>;
}

/** The dispatcher returned by {@link createDispatcher}. */
export interface Dispatcher {
  readonly endpoints: EndpointsApi;
  readonly dlq: DlqApi;
  /** Persists one delivery per matching endpoint (the outbox) before resolving. */
  publish(event: PublishInput): Promise<PublishResult>;
  /** Requeues every delivery of a message (delivered, pending or dead) for another round. */
  redeliver(messageId: string): Promise<number>;
  /** Deliveries of a message, and their attempts. */
  inspect(
    messageId: string,
  ): Promise<Array<DeliveryRecord & { readonly attempts: number; readonly history: AttemptRecord[] }>>;
  /** Counts by status and DLQ stats; also reports the queue/DLQ/endpoint gauges to `metrics`. */
  stats(): Promise<DeliveryCounts & { readonly dlq: DlqStats }>;
  /**
   * Deletes succeeded deliveries, with their attempts, last updated more than `olderThanMs`
   * (default `retainSucceededMs`) ago; resolves with how many. Dead (DLQ), pending and inflight
   * deliveries are kept. A started dispatcher already does this every `pruneIntervalMs`.
   * @throws {DeliveryError} `delivery_closed` after `close()`.
   */
  prune(options?: { olderThanMs?: number | undefined }): Promise<number>;
  /** Starts claiming and delivering, and pruning succeeded deliveries, in this process. */
  start(): void;
  /** Resolves when nothing is in flight and nothing is due. */
  idle(): Promise<void>;
  on<K extends keyof DispatcherEvents>(name: K, listener: (payload: DispatcherEvents[K]) => void): () => void;
  /**
   * Stops claiming and waits up to `deadlineMs` (default 10 000) for attempts in flight; the
   * rest are aborted and their leases handed back. Does not close the store.
   */
  close(options?: { deadlineMs?: number | undefined }): Promise<void>;
}

const publishSchema = z
  .object({
    type: z.string().min(1).max(200),
    payload: z.unknown(),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/)
      .optional(),
  })
  .strict();

/**
 * Creates a durable webhook dispatcher over a {@link DeliveryStore}.
 *
 * @param options - Store, transport/egress, signing, isolation policies and tuning.
 * @throws {TypeError | RangeError} when an option is invalid (the message names it).
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ store: createSqliteStore({ path: 'deliveries.db' }) });
 * await dispatcher.endpoints.create({ url: 'https://example.com/hooks' });
 * dispatcher.start();
 * await dispatcher.publish({ type: 'invoice.paid', payload: { id: 'in_1' } });
 * ```
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const o = resolveOptions(options);
  const { store } = options;
  const metrics = options.metrics ?? noopMetrics;
  const events = new Emitter<DispatcherEvents>();
  const transport =
    options.transport ??
    (o.real
      ? createUndiciTransport({
          egress: options.egress,
          resolve: options.resolve,
          maxResponseBytes: options.maxResponseBytes,
          timers: o.timers,
        })
      : createSimulatedTransport());
  const registry = new EndpointRegistry(store, o.clock, metrics, o.endpointCacheMs, o.rotationOverlapMs);
  const worker = new DeliveryWorker({
    ...o,
    store,
    transport,
    sign: options.sign ?? createStandardSigner(),
    metrics,
    events,
    policies: options.policies ?? defaultPolicies({ clock: o.clock, timers: o.timers }),
    endpoint: (id) => registry.cached(id),
    disableEndpoint: async (endpoint, reason) => {
      await registry.autoDisable(endpoint, reason);
      events.emit('endpointDisabled', { endpointId: endpoint.id, reason, at: o.clock.now() });
    },
    markFailing: (endpoint, since) => registry.markFailing(endpoint, since),
  });
  const pruner = new RetentionPruner({ ...o, store, metrics, events });
  let closed = false;
  const publishing = new PendingSet();

  /** Publishes, tracked so close() lets those already writing finish (and hand their leases over). */
  function publish(event: PublishInput): Promise<PublishResult> {
    return publishing.track(persist(event));
  }

  async function persist(event: PublishInput): Promise<PublishResult> {
    if (closed) throw new DeliveryError('delivery_closed', { detail: 'publish() after close()' });
    const input = parseInput(publishSchema, event, 'delivery_invalid_event');
    const now = o.clock.now();
    const messageId = input.id ?? randomId('msg');
    let payload: string;
    try {
      payload = JSON.stringify({
        type: input.type,
        timestamp: new Date(now).toISOString(),
        data: input.payload ?? null,
      });
    } catch (cause) {
      throw new DeliveryError('delivery_invalid_event', { detail: 'payload is not JSON-serializable', cause });
    }
    const targets = (await registry.all()).filter(
      (ep) => ep.enabled && (ep.eventTypes === null || ep.eventTypes.includes(input.type)),
    );
    const deliveries: NewDelivery[] = targets.map((ep) => ({
      id: `${messageId}:${ep.id}`,
      messageId,
      endpointId: ep.id,
      eventType: input.type,
      payload,
      createdAt: now,
      nextAt: now,
    }));
    if (deliveries.length > 0) {
      const lease = worker.offer(deliveries);
      let inserted: readonly string[];
      try {
        inserted = await store.enqueue(deliveries, lease);
      } catch (error) {
        if (lease) worker.release(lease, deliveries);
        throw error;
      }
      if (lease) worker.adopt(lease, deliveries, inserted);
      if (!lease || lease.ids.size < deliveries.length) worker.published(targets.map((ep) => ep.id));
    }
    return Object.freeze({ messageId, deliveryIds: Object.freeze(deliveries.map((d) => d.id)) });
  }

  async function requeued(count: number): Promise<number> {
    if (count > 0) worker.wake();
    return count;
  }

  const dlq: DlqApi = Object.freeze({
    stats: () => store.dlqStats(),
    list: (opts: { endpointId?: string | undefined; limit?: number | undefined; after?: string | undefined } = {}) =>
      store.listDeliveries({ ...opts, status: 'dead' }),
    requeue: async (selector: readonly string[] | { endpointId?: string | undefined }) =>
      requeued(
        await store.requeue(
          Array.isArray(selector)
            ? { ids: selector as readonly string[], statuses: ['dead'] }
            : { endpointId: (selector as { endpointId?: string }).endpointId, statuses: ['dead'] },
          o.clock.now(),
        ),
      ),
  });

  return Object.freeze({
    endpoints: registry,
    dlq,
    publish,
    async redeliver(messageId: string) {
      const count = await store.requeue({ messageId, statuses: ['pending', 'succeeded', 'dead'] }, o.clock.now());
      if (count === 0 && (await store.listDeliveries({ messageId, limit: 1 })).length === 0) {
        throw new DeliveryError('delivery_message_not_found', { detail: `No delivery for message ${messageId}` });
      }
      return requeued(count);
    },
    async inspect(messageId: string) {
      const deliveries = await store.listDeliveries({ messageId, limit: 1000 });
      return Promise.all(deliveries.map(async (d) => ({ ...d, history: await store.listAttempts(d.id) })));
    },
    async stats() {
      const [counts, dlqStats, endpoints] = await Promise.all([
        store.counts(),
        store.dlqStats(),
        store.listEndpoints(),
      ]);
      metrics.gauge('webhook.queue.depth', counts.pending + counts.inflight);
      metrics.gauge('webhook.dlq.size', dlqStats.size);
      for (const ep of endpoints) metrics.gauge('webhook.endpoint.state', ep.enabled ? 1 : 0, { endpoint: ep.id });
      return { ...counts, dlq: dlqStats };
    },
    async prune(pruneOptions: { olderThanMs?: number | undefined } = {}) {
      if (closed) throw new DeliveryError('delivery_closed', { detail: 'prune() after close()' });
      const olderThanMs = pruneOptions.olderThanMs ?? o.retainSucceededMs;
      assertRetention('olderThanMs', olderThanMs);
      return pruner.prune(olderThanMs);
    },
    start: () => {
      if (closed) throw new DeliveryError('delivery_closed', { detail: 'start() after close()' });
      worker.start();
      pruner.start();
    },
    idle: () => worker.idle(),
    on: (name, listener) => events.on(name, listener),
    async close(closeOptions: { deadlineMs?: number | undefined } = {}) {
      if (closed) return;
      closed = true;
      await Promise.all([publishing.settled(), pruner.close()]);
      await worker.close(closeOptions.deadlineMs ?? 10_000);
      if (!options.transport) await transport.close();
    },
  } satisfies Dispatcher);
}
