import type { EmailEvent, ParsedEmailWebhook, SnsSubscriptionConfirmation } from '../events.js';

/**
 * Builds a {@link ParsedEmailWebhook}: freezes `events` (the parser's own, fresh array) and,
 * when given, attaches `subscriptionConfirmation` as a non-enumerable, read-only property, so
 * JSON, spreading and deep equality see only the events. @internal
 */
export function parsedWebhook(
  events: EmailEvent[],
  subscriptionConfirmation?: SnsSubscriptionConfirmation,
): ParsedEmailWebhook {
  if (subscriptionConfirmation) {
    Object.defineProperty(events, 'subscriptionConfirmation', {
      value: subscriptionConfirmation,
      enumerable: false,
      writable: false,
      configurable: false,
    });
  }
  return Object.freeze(events);
}
