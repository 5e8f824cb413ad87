import type {
  EmailEvent,
  ParsedEmailWebhook,
  RejectedEmailEvent,
  SnsSubscriptionConfirmation,
  SnsUnsubscribeConfirmation,
} from '../events.js';

/** What a parser may attach to its events. @internal */
export interface ParsedWebhookExtras {
  readonly rejected?: readonly RejectedEmailEvent[];
  readonly subscriptionConfirmation?: SnsSubscriptionConfirmation;
  readonly unsubscribeConfirmation?: SnsUnsubscribeConfirmation;
}

function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: false });
}

/**
 * Builds a {@link ParsedEmailWebhook}: freezes `events` (the parser's own, fresh array) and
 * attaches `rejected` (always, frozen) and the SNS control messages when given, as
 * non-enumerable, read-only properties, so JSON, spreading and deep equality see only the
 * events. @internal
 */
export function parsedWebhook(events: EmailEvent[], extras: ParsedWebhookExtras = {}): ParsedEmailWebhook {
  hide(events, 'rejected', Object.freeze([...(extras.rejected ?? [])]));
  if (extras.subscriptionConfirmation) hide(events, 'subscriptionConfirmation', extras.subscriptionConfirmation);
  if (extras.unsubscribeConfirmation) hide(events, 'unsubscribeConfirmation', extras.unsubscribeConfirmation);
  return Object.freeze(events) as ParsedEmailWebhook;
}
