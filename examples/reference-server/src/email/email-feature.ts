import type { Clock } from '@bulwark/core';
import {
  createEmailProviderFromEnv,
  createFailoverProvider,
  type EmailWebhookOptionsByProvider,
  type EmailWebhookProvider,
  type FailoverProvider,
} from '@bulwark/email';
import type { ReplayStore } from '@bulwark/webhooks';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

/** Per-provider webhook verification settings from the environment; absent → that route is off. */
export type WebhookSettings = { [P in EmailWebhookProvider]?: EmailWebhookOptionsByProvider[P] };

const list = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);

/**
 * Builds the verification options for each provider whose credentials are configured.
 * `replayStore` (memory, or Redis with REDIS_URL) rejects a signed message seen before.
 */
export function webhookSettings(config: Config, clock: Clock, replayStore: ReplayStore): WebhookSettings {
  const settings: WebhookSettings = {};
  if (config.RESEND_WEBHOOK_SECRET)
    settings.resend = { secret: list(config.RESEND_WEBHOOK_SECRET), clock, replayStore };
  if (config.POSTMARK_WEBHOOK_USERNAME && config.POSTMARK_WEBHOOK_PASSWORD) {
    settings.postmark = {
      credentials: { username: config.POSTMARK_WEBHOOK_USERNAME, password: config.POSTMARK_WEBHOOK_PASSWORD },
    };
  }
  if (config.SENDGRID_WEBHOOK_PUBLIC_KEY) settings.sendgrid = { publicKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY, clock };
  if (config.MAILGUN_WEBHOOK_SIGNING_KEY)
    settings.mailgun = { signingKey: list(config.MAILGUN_WEBHOOK_SIGNING_KEY), clock };
  if (config.SES_WEBHOOK_TOPIC_ARNS) settings.ses = { allowedTopicArns: list(config.SES_WEBHOOK_TOPIC_ARNS), clock };
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
