import type { EmailWebhookError } from './errors/email-webhook-error.js';

/** The normalized kinds of email event, the same for every provider. */
export type EmailEventType =
  | 'sent'
  | 'delivered'
  | 'deferred'
  | 'bounced'
  | 'complained'
  | 'opened'
  | 'clicked'
  | 'unsubscribed'
  | 'suppressed'
  | 'failed'
  | 'unknown';

/** How permanent a bounce is. */
export type BounceKind = 'hard' | 'soft' | 'undetermined';

/** Bounce details, on `bounced` events (and `failed` ones where the provider gives them). */
export interface EmailBounce {
  /** Permanent (`hard`), temporary (`soft`) or unknown. */
  readonly kind: BounceKind;
  /** SMTP status or the provider's bounce code (`550`, `5.1.1`, `HardBounce`). */
  readonly code?: string;
  /** The receiving server's diagnostic text. */
  readonly diagnostic?: string;
}

/** One normalized event from a provider webhook: one recipient, one thing that happened. */
export interface EmailEvent {
  /** What happened. */
  readonly type: EmailEventType;
  /** The provider that reported it. */
  readonly provider: string;
  /**
   * The recipient address the event is about. `''` when the provider did not say which of
   * several recipients it concerns (Resend lists the whole `to` in every per-recipient event):
   * `candidates` then lists them, and `suppressionsFromEvents` suppresses none of them.
   */
  readonly recipient: string;
  /**
   * Set only when `recipient` is `''`: the message's recipients, one of whom the event concerns.
   * Never suppress them all on its account.
   */
  readonly candidates?: readonly string[];
  /** The provider's message id, the same as `SendResult.messageId` where the provider allows. */
  readonly providerMessageId: string | undefined;
  /**
   * The provider's event id, when it has one, for de-duplication. When one payload yields
   * several events (one per recipient) it is suffixed with `:<recipient>` so each stays unique.
   */
  readonly eventId?: string;
  /** When it happened. */
  readonly occurredAt: Date;
  /** The metadata/tags sent with the message, echoed back. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Present on bounces. */
  readonly bounce?: EmailBounce;
  /** The provider's original event object, untouched. */
  readonly raw: unknown;
}

/**
 * An SNS SubscriptionConfirmation, surfaced so the host can confirm it with
 * `confirmSnsSubscription`: SNS sends it when a subscription to an accepted topic is created.
 */
export interface SnsSubscriptionConfirmation {
  /** Always `SubscriptionConfirmation`: an UnsubscribeConfirmation is a {@link SnsUnsubscribeConfirmation}. */
  readonly type: 'SubscriptionConfirmation';
  /** The topic to confirm. */
  readonly topicArn: string;
  /** GET it (via `confirmSnsSubscription`) to confirm. */
  readonly subscribeUrl: string;
  /** The confirmation token. */
  readonly token: string;
  /** SNS's human-readable message. */
  readonly message: string;
  /** SNS message id. */
  readonly messageId: string;
}

/**
 * An SNS UnsubscribeConfirmation: the endpoint was unsubscribed from `topicArn`. Surfaced for
 * logging only. Its `SubscribeURL` would re-subscribe the endpoint, so it is kept out of this
 * object and `confirmSnsSubscription` refuses it: do nothing unless you mean to subscribe again
 * (then do it from the AWS console or API).
 */
export interface SnsUnsubscribeConfirmation {
  /** Always `UnsubscribeConfirmation`. */
  readonly type: 'UnsubscribeConfirmation';
  /** The topic the endpoint was unsubscribed from. */
  readonly topicArn: string;
  /** SNS's human-readable message. */
  readonly message: string;
  /** SNS message id. */
  readonly messageId: string;
}

/**
 * One event of an authentic webhook that could not be normalized (SendGrid batches: one bad
 * item does not reject the others). Report it; it is not retried by answering 2xx.
 */
export interface RejectedEmailEvent {
  /** Position of the item in the provider's payload. */
  readonly index: number;
  /** Why: an `email_webhook_malformed` error naming what is missing, never the item's content. */
  readonly error: EmailWebhookError;
  /** The provider's item, untouched. */
  readonly raw: unknown;
}

/**
 * What `parseEmailWebhook` returns for one verified request: a frozen array of the normalized
 * events, in payload order (SendGrid posts batches; one SES notification can name several
 * recipients).
 *
 * Like a `RegExpMatchArray` carries `.index` and `.groups`, the array carries extra,
 * non-enumerable properties, so `JSON.stringify`, spreading and deep equality see a plain array
 * of events:
 * - `rejected` — always present: the authentic items that could not be normalized (SendGrid
 *   batches), each with its index and an `email_webhook_malformed` error; empty for the others.
 * - `subscriptionConfirmation` — SES only: an SNS SubscriptionConfirmation (the array is then
 *   empty); call `confirmSnsSubscription` to accept it.
 * - `unsubscribeConfirmation` — SES only: an SNS UnsubscribeConfirmation (the array is then
 *   empty); informational, never to be confirmed.
 */
export type ParsedEmailWebhook = readonly EmailEvent[] & {
  /** Authentic items that could not be normalized, with their index and error (empty for most requests). */
  readonly rejected: readonly RejectedEmailEvent[];
  /** SES only: an SNS SubscriptionConfirmation; call `confirmSnsSubscription` to accept it. */
  readonly subscriptionConfirmation?: SnsSubscriptionConfirmation;
  /** SES only: an SNS UnsubscribeConfirmation; informational, never confirm it. */
  readonly unsubscribeConfirmation?: SnsUnsubscribeConfirmation;
};

/** The raw HTTP request a webhook parser needs: verification runs on these exact bytes. */
export interface EmailWebhookRequest {
  /** Request headers (a `Headers` or a plain object; names are case-insensitive). */
  readonly headers: Headers | Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received. */
  readonly rawBody: string | Uint8Array;
  /** The client IP, for allowlists (Postmark). The host decides how to derive it. */
  readonly remoteAddress?: string | undefined;
}
