import type { QueueDeliveryMessage, QueueEndpoint, QueueLike } from './types.js';

/** Options of {@link createQueueProducer}. */
export interface QueueProducerOptions {
  /** The producer binding of the delivery queue. */
  readonly queue: QueueLike;
  /**
   * The registered endpoints (e.g. read from D1); called once per publish. Only `id`, `enabled` and
   * `eventTypes` are read, so a registry need not load URLs or open secrets to publish.
   */
  readonly endpoints: () => Promise<readonly Pick<QueueEndpoint, 'id' | 'enabled' | 'eventTypes'>[]>;
}

/** An event to deliver. */
export interface QueueEvent {
  readonly type: string;
  /** The JSON payload (serialized once, sent byte for byte to every endpoint). */
  readonly payload: unknown;
  /** The message id (`webhook-id`); default: a random `msg_…` id. */
  readonly id?: string | undefined;
}

/** Publishes events to Cloudflare Queues: one message per matching endpoint. */
export interface QueueProducer {
  /** Enqueues one message per enabled endpoint subscribed to `event.type`; resolves to their count. */
  publish(event: QueueEvent): Promise<{ readonly messageId: string; readonly enqueued: number }>;
}

/** `sendBatch` takes at most 100 messages. */
const BATCH = 100;

/**
 * Creates a producer that fans an event out to a Cloudflare Queue: one message per enabled
 * endpoint whose `eventTypes` is empty or contains the type. A message holds the message id,
 * the endpoint id, the type and the payload, never the endpoint's URL or secrets (the consumer
 * reads them when it delivers, so a rotated secret or a disabled endpoint takes effect at once).
 *
 * @throws {TypeError} when `queue` or `endpoints` is missing.
 * @example
 * ```ts
 * const producer = createQueueProducer({ queue: env.DELIVERIES, endpoints: () => listEndpoints(env.DB) });
 * await producer.publish({ type: 'invoice.paid', payload: { id: 'in_1' } });
 * ```
 */
export function createQueueProducer(options: QueueProducerOptions): QueueProducer {
  const { queue, endpoints } = options;
  if (typeof queue?.sendBatch !== 'function') throw new TypeError('Expected `queue` to be a Queue producer binding');
  if (typeof endpoints !== 'function') throw new TypeError('Expected `endpoints` to be a function');
  return Object.freeze({
    async publish(event: QueueEvent) {
      if (typeof event?.type !== 'string' || event.type.length === 0) {
        throw new TypeError('Expected `event.type` to be a non-empty string');
      }
      const payload = JSON.stringify(event.payload);
      if (payload === undefined) throw new TypeError('Expected `event.payload` to be JSON-serializable');
      const messageId = event.id ?? `msg_${crypto.randomUUID().replaceAll('-', '')}`;
      const bodies: QueueDeliveryMessage[] = (await endpoints())
        .filter((e) => e.enabled && (!e.eventTypes?.length || e.eventTypes.includes(event.type)))
        .map((e) => ({ v: 1, messageId, endpointId: e.id, type: event.type, payload }));
      for (let i = 0; i < bodies.length; i += BATCH) {
        await queue.sendBatch(bodies.slice(i, i + BATCH).map((body) => ({ body })));
      }
      return { messageId, enqueued: bodies.length };
    },
  });
}
