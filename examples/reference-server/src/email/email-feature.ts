import type { Clock } from '@bulwark/core';
import { createFailoverProvider, EMAIL_EVENT_METRIC, type EmailMetrics, type FailoverProvider } from '@bulwark/email';
import { createEmailProviderFromEnv } from '@bulwark/email/from-env';
import type { EmailWebhookOptionsByProvider, EmailWebhookProvider } from '@bulwark/email/webhooks';
import type { ReplayStore } from '@bulwark/webhooks';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ServerMetrics } from '../metrics.js';

/** Per-provider webhook verification settings from the environment; absent → that route is off. */
export type WebhookSettings = { [P in EmailWebhookProvider]?: EmailWebhookOptionsByProvider[P] };

const list = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);

/** Forwards `@bulwark/email`'s metric hook to `bulwark_email_events_total{provider,type}`. */
function promEmailMetrics(metrics: ServerMetrics): EmailMetrics {
  return {
    increment: (name, labels) => {
      if (name !== EMAIL_EVENT_METRIC) return;
      metrics.emailEvents.inc({ provider: labels?.provider ?? 'unknown', type: labels?.type ?? 'unknown' });
    },
  };
}

/**
 * Builds the verification options for each provider whose credentials are configured.
 * `replayStore` (memory, or Redis with REDIS_URL) rejects a signed message seen before;
 * every verified event is counted in `metrics`.
 */
export function webhookSettings(
  config: Config,
  clock: Clock,
  replayStore: ReplayStore,
  metrics: ServerMetrics,
): WebhookSettings {
  const shared = { clock, metrics: promEmailMetrics(metrics) };
  const settings: WebhookSettings = {};
  if (config.RESEND_WEBHOOK_SECRET)
    settings.resend = { ...shared, secrets: list(config.RESEND_WEBHOOK_SECRET), replayStore };
  if (config.POSTMARK_WEBHOOK_USERNAME && config.POSTMARK_WEBHOOK_PASSWORD) {
    const secrets = { username: config.POSTMARK_WEBHOOK_USERNAME, password: config.POSTMARK_WEBHOOK_PASSWORD };
    settings.postmark = { ...shared, secrets };
  }
  if (config.SENDGRID_WEBHOOK_PUBLIC_KEY)
    settings.sendgrid = { ...shared, secrets: config.SENDGRID_WEBHOOK_PUBLIC_KEY };
  if (config.MAILGUN_WEBHOOK_SIGNING_KEY)
    settings.mailgun = { ...shared, secrets: list(config.MAILGUN_WEBHOOK_SIGNING_KEY), replayStore };
  if (config.SES_WEBHOOK_TOPIC_ARNS)
    settings.ses = { ...shared, allowedTopicArns: list(config.SES_WEBHOOK_TOPIC_ARNS) };
  return settings;
}

/**
 * The sending provider: `EMAIL_PROVIDER` and its keys (simulated when unset), behind a
 * circuit breaker and retries. A named provider with a missing key stops startup.
 */
export function createEmailSender(
  env: Record<string, string | undefined>,
  logger: Logger,
  clock: Clock,
): FailoverProvider {
  const provider = createEmailProviderFromEnv(env, {
    logger: { info: (message, fields) => logger.info({ email: fields }, message) },
  });
  return createFailoverProvider({
    providers: [provider],
    clock,
    retry: { retries: 2 },
    breaker: { window: { type: 'count', size: 20 }, minimumCalls: 5, failureRateThreshold: 50, openWaitMs: 30_000 },
  });
}
