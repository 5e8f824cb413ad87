// Reads the EMAIL_* variables strictly, without zod: createEmailProviderFromEnv bundles all five
// providers, and a schema library on top would push the entry past the 60 kB edge budget.
// Messages are worded as zod words them (test/from-env-input.test.ts compares the two).
import { EmailConfigError } from '../errors/email-config-error.js';
import { typeName } from './type-name.js';

/** The providers `EMAIL_PROVIDER` may name. @internal */
export const PROVIDERS = ['resend', 'postmark', 'sendgrid', 'ses', 'mailgun', 'simulated'] as const;

/** The string variables read, in the order their problems are reported. @internal */
export const STRING_VARIABLES = [
  'RESEND_API_KEY',
  'POSTMARK_SERVER_TOKEN',
  'POSTMARK_MESSAGE_STREAM',
  'SENDGRID_API_KEY',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'SES_CONFIGURATION_SET',
  'MAILGUN_API_KEY',
  'MAILGUN_DOMAIN',
] as const;

/** The environment after parsing: trimmed, empty as absent. @internal */
export type EmailEnv = { [K in (typeof STRING_VARIABLES)[number]]?: string | undefined } & {
  EMAIL_PROVIDER?: (typeof PROVIDERS)[number] | undefined;
  EMAIL_BATCH_CONCURRENCY?: number | undefined;
  MAILGUN_REGION?: 'us' | 'eu' | undefined;
};

const oneOf = (values: readonly string[]) =>
  `Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`;

function invalid(variable: string, message: string): never {
  throw new EmailConfigError(variable, `Invalid ${variable}: ${message}`);
}

/** An optional string variable: trimmed, `''` as absent. */
function optional(env: Record<string, unknown>, variable: string): string | undefined {
  const value = env[variable];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(variable, `Invalid input: expected string, received ${typeName(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function oneOfOptional<T extends string>(
  value: string | undefined,
  variable: string,
  values: readonly T[],
): T | undefined {
  if (value === undefined || (values as readonly string[]).includes(value)) return value as T | undefined;
  return invalid(variable, oneOf(values));
}

/**
 * Parses the variables; the first problem (in the order zod reported them) throws.
 * @throws {email_config_invalid} naming the variable (`error.variable`).
 * @internal
 */
export function readEmailEnv(env: unknown): EmailEnv {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    invalid('EMAIL_PROVIDER', `Invalid input: expected object, received ${typeName(env)}`);
  }
  const bag = env as Record<string, unknown>;
  const out: EmailEnv = {};
  out.EMAIL_PROVIDER = oneOfOptional(optional(bag, 'EMAIL_PROVIDER')?.toLowerCase(), 'EMAIL_PROVIDER', PROVIDERS);
  const concurrency = optional(bag, 'EMAIL_BATCH_CONCURRENCY');
  if (concurrency !== undefined) {
    // Digits only: `4`, not `4.0`, `+4`, `0x4`, `1e1` or `04`.
    if (!/^[1-9]\d*$/.test(concurrency))
      invalid('EMAIL_BATCH_CONCURRENCY', 'Expected an integer ≥ 1 written in digits');
    const n = Number(concurrency);
    if (!Number.isSafeInteger(n)) {
      invalid('EMAIL_BATCH_CONCURRENCY', 'Expected an integer ≥ 1 no larger than Number.MAX_SAFE_INTEGER');
    }
    out.EMAIL_BATCH_CONCURRENCY = n;
  }
  for (const variable of STRING_VARIABLES) out[variable] = optional(bag, variable);
  out.MAILGUN_REGION = oneOfOptional(optional(bag, 'MAILGUN_REGION'), 'MAILGUN_REGION', ['us', 'eu'] as const);
  return out;
}
