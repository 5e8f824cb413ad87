/**
 * The counter `parseEmailWebhook` (`@bulwark/email/webhooks`) increments once per normalized event it returns,
 * labelled `{ provider, type }` (e.g. `{ provider: 'resend', type: 'bounced' }`).
 *
 * @example
 * ```ts
 * const increment = (name: string, labels?: Record<string, string>) => {
 *   if (name === EMAIL_EVENT_METRIC) counter.inc(labels);
 * };
 * ```
 */
export const EMAIL_EVENT_METRIC = 'email.event';

/**
 * Where webhook ingestion reports metrics (wire it to prom-client, StatsD, OpenTelemetry…).
 * The same `increment(name, labels)` shape as `@bulwark/delivery`'s `DeliveryMetrics`, so one
 * adapter can serve both. Names: the counter {@link EMAIL_EVENT_METRIC} (labels `provider`, `type`).
 *
 * @example
 * ```ts
 * const metrics: EmailMetrics = {
 *   increment: (name, labels) => { if (name === EMAIL_EVENT_METRIC) emailEvents.inc(labels); },
 * };
 * await parseEmailWebhook('postmark', request, { secrets, metrics });
 * ```
 */
export interface EmailMetrics {
  /** Adds one to the counter `name` with these labels. */
  increment(name: string, labels?: Readonly<Record<string, string>>): void;
}

/**
 * Options `parseEmailWebhook` (`@bulwark/email/webhooks`) takes for every provider, besides the provider's own.
 *
 * @example
 * ```ts
 * const observers: EmailWebhookObservers = { metrics: { increment: (name, labels) => statsd.increment(name, labels) } };
 * await parseEmailWebhook('mailgun', request, { secrets, ...observers });
 * ```
 */
export interface EmailWebhookObservers {
  /** Counts the verified, normalized events by provider and type. Default: none. */
  readonly metrics?: EmailMetrics | undefined;
}
