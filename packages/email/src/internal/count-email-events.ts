import type { EmailMetrics } from '../email-metrics.js';
import { EMAIL_EVENT_METRIC } from '../email-metrics.js';
import { EmailConfigError } from '../errors/email-config-error.js';
import type { EmailEvent } from '../events.js';

/**
 * Checks the `metrics` option before any request is read. @internal
 *
 * @throws {email_config_invalid} with `variable: 'metrics'` when it has no `increment` function.
 */
export function checkEmailMetrics(metrics: unknown): EmailMetrics | undefined {
  if (metrics === undefined) return undefined;
  if (typeof (metrics as Partial<EmailMetrics> | null)?.increment !== 'function') {
    throw new EmailConfigError('metrics', 'Expected `metrics` to have an `increment(name, labels)` function');
  }
  return metrics as EmailMetrics;
}

/** Counts each event of a verified webhook by provider and type. @internal */
export function countEmailEvents(metrics: EmailMetrics | undefined, events: readonly EmailEvent[]): void {
  if (!metrics) return;
  for (const event of events) {
    try {
      metrics.increment(EMAIL_EVENT_METRIC, { provider: event.provider, type: event.type });
    } catch {
      // A failing sink must not fail a verified webhook: replay protection has already
      // claimed its id, so the provider's retry would be refused and the events lost.
    }
  }
}
