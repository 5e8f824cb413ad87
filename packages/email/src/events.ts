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
  /** The recipient address the event is about. */
  readonly recipient: string;
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

/** An SNS SubscriptionConfirmation, surfaced so the host can confirm it. */
export interface SnsSubscriptionConfirmation {
  /** Which control message SNS sent. */
  readonly type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
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
 * What `parseEmailWebhook` returns for one verified request: a frozen array of the normalized
 * events, in payload order (SendGrid posts batches; one SES notification can name several
 * recipients).
 *
 * Like a `RegExpMatchArray` carries `.index` and `.groups`, the array can carry one extra,
 * SES-only property: `subscriptionConfirmation`, an SNS subscription (un)confirmation (the
 * array is then empty), surfaced rather than dropped; call `confirmSnsSubscription` to accept
 * it. The property is non-enumerable, so `JSON.stringify`, spreading and deep equality see a
 * plain array of events.
 */
export type ParsedEmailWebhook = readonly EmailEvent[] & {
  /** SES only: an SNS subscription (un)confirmation; call `confirmSnsSubscription` to accept it. */
  readonly subscriptionConfirmation?: SnsSubscriptionConfirmation;
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
