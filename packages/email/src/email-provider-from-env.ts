import type { Clock, TimerProvider } from '@bulwark/core';
import { EmailConfigError } from './errors/email-config-error.js';
import { type PROVIDERS, readEmailEnv } from './internal/env-input.js';
import type { FetchLike } from './internal/http.js';
import type { EmailProvider } from './provider.js';
import { createMailgunProvider } from './providers/mailgun-provider.js';
import { createPostmarkProvider } from './providers/postmark-provider.js';
import { createResendProvider } from './providers/resend-provider.js';
import { createSendGridProvider } from './providers/sendgrid-provider.js';
import { createSesProvider } from './providers/ses-provider.js';
import { createSimulatedProvider } from './simulated.js';

/** Where {@link createEmailProviderFromEnv} writes its one log line. */
export interface EmailLogger {
  /** Logs one informational line with structured fields. */
  info(message: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link createEmailProviderFromEnv}. */
export interface EmailFromEnvOptions {
  /** Receives the "no EMAIL_PROVIDER, using simulated" line. Default: `console`. */
  logger?: EmailLogger | undefined;
  /** Passed to the adapter. */
  fetch?: FetchLike | undefined;
  /** Passed to the adapter. */
  clock?: Clock | undefined;
  /** Passed to the adapter. */
  timers?: TimerProvider | undefined;
}

/** The variables each provider needs (the first missing one is named in the error). */
export const EMAIL_ENV_VARIABLES = Object.freeze({
  resend: ['RESEND_API_KEY'],
  postmark: ['POSTMARK_SERVER_TOKEN'],
  sendgrid: ['SENDGRID_API_KEY'],
  ses: ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  mailgun: ['MAILGUN_API_KEY', 'MAILGUN_DOMAIN'],
  simulated: [],
} as const satisfies Record<(typeof PROVIDERS)[number], readonly string[]>);

/**
 * Builds the provider named by `EMAIL_PROVIDER` (`resend|postmark|sendgrid|ses|mailgun|simulated`).
 * Absent or empty → the simulated provider, with one log line saying so. A named provider
 * with a missing key variable is a startup error naming it — never a silent fallback.
 * `EMAIL_BATCH_CONCURRENCY` (optional, an integer ≥ 1 in digits) sets the adapter's
 * `batchConcurrency`; the simulated provider validates it but has nothing to bound.
 *
 * @param env - Usually `process.env`.
 * @param options - Logger and adapter options.
 * @throws {email_config_invalid} naming the missing or invalid variable (`error.variable`).
 * @example
 * ```ts
 * const email = createEmailProviderFromEnv(process.env, { logger: pino() });
 * ```
 */
export function createEmailProviderFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: EmailFromEnvOptions = {},
): EmailProvider {
  const e = readEmailEnv(env);
  const adapter = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(e.EMAIL_BATCH_CONCURRENCY === undefined ? {} : { batchConcurrency: e.EMAIL_BATCH_CONCURRENCY }),
  };
  const provider = e.EMAIL_PROVIDER;
  if (provider === undefined) {
    (options.logger ?? console).info(
      'EMAIL_PROVIDER is not set: using the simulated email provider (messages are recorded in memory, not sent)',
      { provider: 'simulated' },
    );
    return createSimulatedProvider(options.clock ? { clock: options.clock } : {});
  }
  for (const variable of EMAIL_ENV_VARIABLES[provider]) {
    if (e[variable] === undefined) {
      throw new EmailConfigError(variable, `EMAIL_PROVIDER=${provider} needs ${variable}, which is not set`);
    }
  }
  switch (provider) {
    case 'resend':
      return createResendProvider({ ...adapter, apiKey: e.RESEND_API_KEY as string });
    case 'postmark':
      return createPostmarkProvider({
        ...adapter,
        serverToken: e.POSTMARK_SERVER_TOKEN as string,
        messageStream: e.POSTMARK_MESSAGE_STREAM,
      });
    case 'sendgrid':
      return createSendGridProvider({ ...adapter, apiKey: e.SENDGRID_API_KEY as string });
    case 'ses':
      return createSesProvider({
        ...adapter,
        region: e.AWS_REGION as string,
        accessKeyId: e.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: e.AWS_SECRET_ACCESS_KEY as string,
        sessionToken: e.AWS_SESSION_TOKEN,
        configurationSetName: e.SES_CONFIGURATION_SET,
      });
    case 'mailgun':
      return createMailgunProvider({
        ...adapter,
        apiKey: e.MAILGUN_API_KEY as string,
        domain: e.MAILGUN_DOMAIN as string,
        region: e.MAILGUN_REGION,
      });
    default:
      return createSimulatedProvider(options.clock ? { clock: options.clock } : {});
  }
}
