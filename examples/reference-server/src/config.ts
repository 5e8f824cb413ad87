import { z } from 'zod';

const booleanFlag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((value) => value === '1' || value === 'true');

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value));

/** The environment variables the server reads, parsed strictly. */
export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  /**
   * REDIS_URL names a node (or the configuration endpoint) of a Redis Cluster: the client
   * discovers the others, and its credentials and TLS (`rediss://`) apply to every node.
   */
  REDIS_CLUSTER: booleanFlag,
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ . -')
    .default('bulwark:'),
  ADMIN_TOKEN: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  ADMIN_JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  EMAIL_PROVIDER: optionalString,
  WEBHOOK_REAL: booleanFlag,
  RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(100),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(60_000_000).default(3_000),
  RATE_LIMIT_DEADLINE_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** With REDIS_URL: each API key or admin token rotation store call answers within this long or the request gets 503. */
  AUTH_STORE_DEADLINE_MS: z.coerce.number().int().min(1).max(10_000).default(1_000),
  RESEND_WEBHOOK_SECRET: optionalString,
  POSTMARK_WEBHOOK_USERNAME: optionalString,
  POSTMARK_WEBHOOK_PASSWORD: optionalString,
  SENDGRID_WEBHOOK_PUBLIC_KEY: optionalString,
  MAILGUN_WEBHOOK_SIGNING_KEY: optionalString,
  SES_WEBHOOK_TOPIC_ARNS: optionalString,
  WEBHOOK_EGRESS_ALLOW: optionalString,
  WEBHOOK_ALLOW_HTTP: booleanFlag,
  DELIVERY_RETRY_SCHEDULE_MS: optionalString.pipe(
    z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
      .transform((value) => value.split(',').map(Number))
      .optional(),
  ),
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** How long a claimed delivery is leased: a crashed instance's deliveries are taken over after it. */
  DELIVERY_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
  /**
   * Deliver webhooks from a worker thread with its own store connection (`0` keeps delivery on
   * the request path's event loop). Ignored with DATA_DIR=:memory: and no REDIS_URL.
   */
  DELIVERY_THREAD: z
    .enum(['0', '1', 'true', 'false', ''])
    .default('1')
    .transform((value) => value !== '0' && value !== 'false'),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  BREAKER_OPEN_WAIT_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  ADMIN_JWT_AUDIENCE: optionalString,
  ADMIN_JWT_ISSUER: optionalString,
  ADMIN_JWT_MAX_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  TRUSTED_PROXIES: commaList.pipe(
    z.array(z.string().regex(/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/, 'must be IP addresses or CIDRs')),
  ),
  METRICS_PUBLIC: booleanFlag,
  EMAIL_SENDER_DOMAINS: z
    .string()
    .default('example.com')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'must be domain names'))),
  BULWARK_ENV: z.enum(['development', 'production']).default('development'),
  DATA_ENCRYPTION_KEYS: optionalString,
  PUBLISH_RATE_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(50),
  STORAGE_BUDGET_BYTES_PER_KEY: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(1e12)
    .default(64 * 1024 * 1024),
  STORAGE_BUDGET_BYTES_PER_ENDPOINT: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(1e12)
    .default(256 * 1024 * 1024),
});

/** Parsed configuration. */
export type Config = z.infer<typeof configSchema>;

/** A bad environment: the message names every offending variable. */
export class ConfigError extends Error {
  override name = 'ConfigError' as const;
}

/**
 * Parses the process environment. A bad value stops startup with a message naming the
 * variable (values are never echoed: they may be secrets).
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema
    .refine((config) => !config.REDIS_CLUSTER || config.REDIS_URL !== undefined, {
      path: ['REDIS_CLUSTER'],
      message: 'needs REDIS_URL (a node or the configuration endpoint of the cluster)',
    })
    .safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}
