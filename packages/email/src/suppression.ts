import type { EmailEvent } from './events.js';

/** Why an address must not be mailed again. */
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'unsubscribe' | 'provider_suppressed';

/** One address to store on the host's suppression list. */
export interface SuppressionEntry {
  /** The address, trimmed and lower-cased (the key to store it under). */
  readonly email: string;
  /** Why it is suppressed. */
  readonly reason: SuppressionReason;
  /** The provider that reported it. */
  readonly provider: string;
  /** The message that bounced or was complained about. */
  readonly providerMessageId: string | undefined;
  /** When the provider saw it. */
  readonly occurredAt: Date;
}

/** Options of {@link suppressionsFromEvents}. */
export interface SuppressionOptions {
  /** Also suppress on `unsubscribed` events. Default false (unsubscribes are usually per list). */
  includeUnsubscribes?: boolean | undefined;
  /** Also suppress on `suppressed` events (the provider already refused). Default true. */
  includeProviderSuppressed?: boolean | undefined;
}

/**
 * Turns events into suppression entries: hard bounces and complaints always; soft and
 * undetermined bounces never; an event that does not name its recipient (`recipient: ''`,
 * `candidates` set) never. One entry per address (the earliest event wins).
 *
 * @param events - Normalized events, such as a `parseEmailWebhook` result as it is.
 * @param options - Whether unsubscribes and provider suppressions count.
 * @example
 * ```ts
 * const events = await parseEmailWebhook('ses', request, { allowedTopicArns: [topicArn] });
 * for (const entry of suppressionsFromEvents(events)) await db.suppress(entry.email, entry.reason);
 * ```
 */
export function suppressionsFromEvents(
  events: readonly EmailEvent[],
  options: SuppressionOptions = {},
): SuppressionEntry[] {
  const byEmail = new Map<string, SuppressionEntry>();
  for (const event of events) {
    const reason = reasonOf(event, options);
    const email = event.recipient.trim().toLowerCase();
    // An event that does not name its recipient (`candidates`) suppresses nobody.
    if (reason === undefined || email === '' || event.candidates !== undefined) continue;
    const previous = byEmail.get(email);
    if (previous && previous.occurredAt <= event.occurredAt) continue;
    byEmail.set(email, {
      email,
      reason,
      provider: event.provider,
      providerMessageId: event.providerMessageId,
      occurredAt: event.occurredAt,
    });
  }
  return [...byEmail.values()];
}

function reasonOf(event: EmailEvent, options: SuppressionOptions): SuppressionReason | undefined {
  switch (event.type) {
    case 'bounced':
      return event.bounce?.kind === 'hard' ? 'hard_bounce' : undefined;
    case 'complained':
      return 'complaint';
    case 'unsubscribed':
      return options.includeUnsubscribes ? 'unsubscribe' : undefined;
    case 'suppressed':
      return (options.includeProviderSuppressed ?? true) ? 'provider_suppressed' : undefined;
    default:
      return undefined;
  }
}
