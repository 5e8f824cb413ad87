import { parseQueueDeliveryMessage } from './message.js';
import type { QueueDeliveryMessage } from './types.js';

/** What `createQueueConsumer` sends to its `deadLetterQueue`: the message body as received, why, and the attempts made. */
export interface QueueDeadLetterBody {
  readonly body: unknown;
  /** `http_<status>`, `delivery_timeout`, `delivery_endpoint_disabled`, `delivery_malformed_message`, … */
  readonly error: string;
  readonly attempts: number;
}

/** A message of the dead-letter queue, read back by {@link readDeadLetter}. */
export interface QueueDeadLetter {
  /** The delivery that died; `undefined` when its body was not a delivery message. */
  readonly delivery: QueueDeliveryMessage | undefined;
  /**
   * The consumer's reason, or `delivery_max_retries_exceeded` for a delivery Queues itself moved after
   * `max_retries` (the consumer kept failing on it or was stopped mid-batch), or `delivery_malformed_message`
   * for a body that is neither.
   */
  readonly error: string;
  /** Attempts made, as the consumer counted them; `undefined` when Queues moved the message (it does not say). */
  readonly attempts: number | undefined;
}

const ENVELOPE = ['body', 'error', 'attempts'] as const;
const ERROR = /^[a-z0-9_]{1,64}$/;
/** `prior` (≤ 10 000) plus a message's own attempts (Queues allows at most 100 retries). */
const MAX_ATTEMPTS = 10_101;

function envelope(body: unknown): QueueDeadLetterBody | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b);
  if (keys.length !== ENVELOPE.length || !ENVELOPE.every((k) => Object.hasOwn(b, k))) return undefined;
  const { error, attempts } = b;
  if (typeof error !== 'string' || !ERROR.test(error)) return undefined;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0 || attempts > MAX_ATTEMPTS) {
    return undefined;
  }
  return { body: b.body, error, attempts };
}

/**
 * Reads a message of the delivery dead-letter queue strictly. The queue holds two shapes: what the
 * consumer sent (`{ body, error, attempts }`, when it gave up on a delivery) and a bare delivery
 * message that Queues moved there after `max_retries` (`dead_letter_queue` in wrangler.toml),
 * which carries no reason or count. Never throws: anything else reads as
 * `delivery_malformed_message` without a delivery.
 *
 * @param body - `message.body` of a dead-letter queue message.
 * @returns The delivery (when there is one), the reason and the attempts (when known).
 * @example
 * ```ts
 * import { readDeadLetter } from '@bulwark/delivery/cloudflare-queues';
 *
 * const dead = readDeadLetter({ body: { v: 1, messageId: 'msg_1', endpointId: 'ep_1', type: 'a', payload: '{}' }, error: 'http_500', attempts: 9 });
 * dead.delivery?.messageId; // 'msg_1'
 * dead.error; // 'http_500'
 * ```
 */
export function readDeadLetter(body: unknown): QueueDeadLetter {
  const sent = envelope(body);
  if (sent !== undefined) {
    return { delivery: parseQueueDeliveryMessage(sent.body), error: sent.error, attempts: sent.attempts };
  }
  const delivery = parseQueueDeliveryMessage(body);
  if (delivery !== undefined) return { delivery, error: 'delivery_max_retries_exceeded', attempts: undefined };
  return { delivery: undefined, error: 'delivery_malformed_message', attempts: undefined };
}
