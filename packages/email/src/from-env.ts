import type { Clock, TimerProvider } from '@bulwark/core';
import * as z from 'zod/mini';
import { EmailConfigError } from './errors/email-config-error.js';
import type { FetchLike } from './internal/http.js';
import { englishErrors } from './internal/zod-english.js';
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

const PROVIDERS = ['resend', 'postmark', 'sendgrid', 'ses', 'mailgun', 'simulated'] as const;

/** The variables each provider needs (the first missing one is named in the error). */
export const EMAIL_ENV_VARIABLES = Object.freeze({
  resend: ['RESEND_API_KEY'],
  postmark: ['POSTMARK_SERVER_TOKEN'],
  sendgrid: ['SENDGRID_API_KEY'],
  ses: ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  mailgun: ['MAILGUN_API_KEY', 'MAILGUN_DOMAIN'],
  simulated: [],
} as const satisfies Record<(typeof PROVIDERS)[number], readonly string[]>);

const optional = z.pipe(
  z.optional(z.string().check(z.trim())),
  z.transform((v: string | undefined) => (v === '' ? undefined : v)),
);

/** Digits only: `4`, not `4.0`, `+4`, `0x4`, `1e1` or `04`. */
const positiveInteger = z.pipe(
  optional,
  z.optional(
    z
      .pipe(z.string().check(z.regex(/^[1-9]\d*$/, 'Expected an integer ≥ 1 written in digits')), z.transform(Number))
      .check(z.refine(Number.isSafeInteger, 'Expected an integer ≥ 1 no larger than Number.MAX_SAFE_INTEGER')),
  ),
);

const envSchema = z.object({
  EMAIL_PROVIDER: z.pipe(
    z.pipe(
      optional,
      z.transform((v: string | undefined) => v?.toLowerCase()),
    ),
    z.optional(z.enum(PROVIDERS)),
  ),
  EMAIL_BATCH_CONCURRENCY: positiveInteger,
  RESEND_API_KEY: optional,
  POSTMARK_SERVER_TOKEN: optional,
  POSTMARK_MESSAGE_STREAM: optional,
  SENDGRID_API_KEY: optional,
  AWS_REGION: optional,
  AWS_ACCESS_KEY_ID: optional,
  AWS_SECRET_ACCESS_KEY: optional,
  AWS_SESSION_TOKEN: optional,
  SES_CONFIGURATION_SET: optional,
  MAILGUN_API_KEY: optional,
  MAILGUN_DOMAIN: optional,
  MAILGUN_REGION: z.pipe(optional, z.optional(z.enum(['us', 'eu']))),
});

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
  const parsed = envSchema.safeParse(env, englishErrors);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'EMAIL_PROVIDER');
    throw new EmailConfigError(variable, `Invalid ${variable}: ${issue?.message ?? 'invalid value'}`);
  }
  const e = parsed.data;
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
