import { type QueueBatchLike, readDeadLetter } from '@bulwark/delivery/cloudflare-queues';
import type { Registry } from './registry.js';

/** How long a dead letter D1 could not record waits before Queues delivers it again. */
const RETRY_DELAY_SECONDS = 30;

/**
 * Records a batch of the dead-letter queue in D1, acknowledging or retrying each message on its
 * own: a D1 failure on one message retries that message only, and the others are not held back
 * or written again. The write is idempotent (one row per delivery: endpoint and message id, or the
 * Queues message id when the body is not a delivery), so a redelivered dead letter (Queues
 * delivers at least once) is not recorded twice. What reaches this queue is what the consumer gave
 * up on, and what Queues moved here after `max_retries` (no reason or count).
 */
export async function recordDeadLetters(batch: QueueBatchLike, registry: Registry, now: number): Promise<void> {
  for (const message of batch.messages) {
    const dead = readDeadLetter(message.body);
    const { messageId = null, endpointId = null } = dead.delivery ?? {};
    try {
      await registry.recordDeadLetter({
        key:
          messageId !== null && endpointId !== null
            ? `delivery:${JSON.stringify([endpointId, messageId])}`
            : `queue:${message.id}`,
        messageId,
        endpointId,
        error: dead.error,
        attempts: dead.attempts ?? null,
        now,
      });
      message.ack();
    } catch {
      // No payload, no error text (it may quote SQL values): the ids are enough to find it again.
      console.log(JSON.stringify({ msg: 'dead_letter_not_recorded', queueMessageId: message.id, messageId }));
      message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
    }
  }
}
