import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { PROVIDERS, readEmailEnv } from '../src/internal/env-input.js';
import { englishErrors } from './helpers/zod-english.js';

// createEmailProviderFromEnv reads its variables without zod (it bundles all five providers and
// must stay under the 60 kB edge budget). This is the zod schema it used before, kept as the
// reference: same acceptance, same values, same first problem, worded the same.
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

function viaZod(env: unknown) {
  const parsed = envSchema.safeParse(env, englishErrors);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'EMAIL_PROVIDER');
  return { variable, message: `Invalid ${variable}: ${issue?.message}` };
}

function viaReader(env: unknown) {
  try {
    return { value: readEmailEnv(env) };
  } catch (error) {
    const { variable, message } = error as { variable: string; message: string };
    return { variable, message };
  }
}

const names = [...Object.keys(envSchema.def.shape), 'PATH'];
const value = fc.oneof(
  fc.string(),
  fc.constantFrom('', '  ', ' 4 ', '04', '1e1', '9007199254740993', 'RESEND', 'eu', 'EU', ...PROVIDERS),
  fc.integer().map(String),
  fc.anything(),
);

describe('readEmailEnv agrees with the zod schema it replaced', () => {
  it('on arbitrary environments (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(fc.constantFrom(...names), value), fc.anything()), (env) => {
        expect(viaReader(env)).toEqual(viaZod(env));
      }),
      { numRuns: 800 },
    );
  });
});
