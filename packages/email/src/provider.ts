import type { EmailError } from './errors/email-error.js';
import type { EmailMessage } from './message.js';

/** Names of the built-in providers. */
export type EmailProviderName = 'resend' | 'postmark' | 'sendgrid' | 'ses' | 'mailgun' | 'simulated';

/** What a successful send returns. */
export interface SendResult {
  /** The provider that accepted the message. */
  readonly provider: string;
  /** The provider's message id; webhooks report the same id as `providerMessageId`. */
  readonly messageId: string;
  /** When the provider accepted it (from the injected clock). */
  readonly acceptedAt: Date;
}

/** Per-call options of `send()` and `sendBatch()`. */
export interface SendOptions {
  /** Aborts the request; the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** One item of a batch result, in input order. */
export type BatchItemResult =
  | {
      /** Position in the input. */
      readonly index: number;
      /** Sent. */
      readonly ok: true;
      /** What `send()` would have returned. */
      readonly result: SendResult;
    }
  | {
      /** Position in the input. */
      readonly index: number;
      /** Not sent. */
      readonly ok: false;
      /** Why, with a taxonomy code. */
      readonly error: EmailError;
    };

/** One transport to one provider. */
export interface EmailProvider {
  /** Provider name, reported on results, errors and events. */
  readonly name: string;
  /** Most messages one provider batch call accepts; 1 when the provider has no batch API. */
  readonly batchLimit: number;
  /**
   * Most requests `sendBatch` keeps in flight, when the provider bounds it (the HTTP
   * adapters do). A failover chain defaults to the smallest value among its providers.
   */
  readonly batchConcurrency?: number | undefined;
  /**
   * Sends one message.
   *
   * @throws {EmailError} with a taxonomy code on any failure.
   */
  send(message: EmailMessage, options?: SendOptions): Promise<SendResult>;
  /**
   * Sends many messages, split into chunks of `batchLimit` (HTTP adapters keep up to
   * `batchConcurrency` requests in flight), and reports each one in input order.
   * Never throws for a per-message failure; throws only for `signal` aborts.
   */
  sendBatch(messages: readonly EmailMessage[], options?: SendOptions): Promise<BatchItemResult[]>;
}
