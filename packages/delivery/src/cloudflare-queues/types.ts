import type { StoredSecret } from '../store.js';

/** The part of a Cloudflare Queue producer binding (`env.DELIVERIES`) used here, structurally. */
export interface QueueLike {
  send(body: unknown, options?: { delaySeconds?: number }): Promise<void>;
  sendBatch(messages: Iterable<{ readonly body: unknown }>): Promise<void>;
}

/** The part of a Cloudflare Queues `Message` used here. */
export interface QueueMessageLike {
  readonly id: string;
  readonly body: unknown;
  /** 1 on the first delivery of the message, 2 on the first retry, … */
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The part of a Cloudflare Queues `MessageBatch` used here. */
export interface QueueBatchLike {
  readonly queue: string;
  readonly messages: readonly QueueMessageLike[];
}

/** An endpoint as the Queues producer and consumer see it (e.g. a row of a D1 registry). */
export interface QueueEndpoint {
  readonly id: string;
  /** `https://` URL (or `http://` with `egress.allowHttp`). */
  readonly url: string;
  readonly enabled: boolean;
  /** Event types it receives; empty or omitted = all. */
  readonly eventTypes?: readonly string[] | undefined;
  /** Signing secrets (`whsec_…`); several during a rotation overlap. */
  readonly secrets: readonly StoredSecret[];
  /** At most `limit` deliveries per `intervalMs` (the consumer's `policies.limiter`); `null` or omitted = unlimited. */
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number } | null | undefined;
  /**
   * Epoch ms of the first failed attempt since the last success, as the consumer's `markFailing`
   * stored it; `null` or omitted when healthy. Auto-disable reads it.
   */
  readonly failingSince?: number | null | undefined;
}

/** The body of one queued delivery: no secret, no URL, only what names the event and its endpoint. */
export interface QueueDeliveryMessage {
  readonly v: 1;
  /** The event's message id, sent as `webhook-id` (the same for every endpoint). */
  readonly messageId: string;
  readonly endpointId: string;
  readonly type: string;
  /** The JSON payload, as sent. */
  readonly payload: string;
  /**
   * Attempts spent by earlier messages of this delivery: a delivery deferred by its endpoint's
   * breaker or rate limit is re-enqueued as a new message (whose `attempts` starts again at 1),
   * so the retry schedule counts `prior + message.attempts`. Omitted on a first message.
   */
  readonly prior?: number | undefined;
}
