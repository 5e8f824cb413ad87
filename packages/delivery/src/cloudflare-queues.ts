/**
 * Webhook delivery on Cloudflare Queues (Workers): a producer that enqueues one message per
 * matching endpoint and a consumer `queue` handler that signs, sends under a per-endpoint breaker
 * and rate limit, classifies like the Node worker, retries with `message.retry({ delaySeconds })`,
 * disables endpoints (410, or failing too long) and dead-letters; `readDeadLetter` reads the
 * dead-letter queue back.
 *
 * @module @bulwark/delivery/cloudflare-queues
 */
export {
  createQueueConsumer,
  type QueueAttemptEvent,
  type QueueConsumer,
  type QueueConsumerOptions,
  type QueueOutcome,
} from './cloudflare-queues/consumer.js';
export { type QueueDeadLetter, type QueueDeadLetterBody, readDeadLetter } from './cloudflare-queues/dead-letter.js';
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
export { type DefaultPoliciesOptions, defaultPolicies } from './default-policies.js';
export { createStandardSigner, type Signer } from './default-signer.js';
export type { EndpointCircuit, EndpointLimiter, EndpointPolicies, PolicyEndpoint } from './policies.js';
export { DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js';
