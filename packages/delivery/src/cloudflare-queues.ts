/**
 * Webhook delivery on Cloudflare Queues (Workers): a producer that enqueues one message per
 * matching endpoint and a consumer `queue` handler that signs, sends, classifies, retries with
 * `message.retry({ delaySeconds })` and dead-letters.
 *
 * @module
 */
export {
  createQueueConsumer,
  type QueueAttemptEvent,
  type QueueConsumer,
  type QueueConsumerOptions,
  type QueueOutcome,
} from './cloudflare-queues/consumer.js';
export {
  createQueueProducer,
  type QueueEvent,
  type QueueProducer,
  type QueueProducerOptions,
} from './cloudflare-queues/producer.js';
export type {
  QueueBatchLike,
  QueueDeliveryMessage,
  QueueEndpoint,
  QueueLike,
  QueueMessageLike,
} from './cloudflare-queues/types.js';
