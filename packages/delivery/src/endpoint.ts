import { nestableInZod3 } from '@bulwark/core';
import { parseSecret } from '@bulwark/webhooks';
import { z } from 'zod/v4';
import { DeliveryError } from './errors/delivery-error.js';

function isValidSecret(value: string): boolean {
  try {
    parseSecret(value);
    return value.startsWith('whsec_');
  } catch {
    return false;
  }
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const rateLimitSchema = z.object({
  limit: z.int().min(1).max(1_000_000),
  intervalMs: z.int().min(1).max(86_400_000),
});

const mutableFields = {
  // The URL is stored, listed and logged as given: no whitespace or control characters (the URL
  // parser would silently drop a CR/LF), and no credentials in clear (user:password@).
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .refine(
      (url) => ![...url].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f),
      'Expected a URL without whitespace or control characters',
    )
    .refine((url) => {
      const parsed = URL.parse(url); // null when already refused above: zod runs every check
      return parsed === null || (parsed.username === '' && parsed.password === '');
    }, 'Expected a URL without credentials (user:password@)'),
  eventTypes: z.array(z.string().min(1).max(200)).min(1).max(1000).nullable(),
  enabled: z.boolean(),
  rateLimit: rateLimitSchema.nullable(),
  timeoutMs: z.int().min(100).max(60_000),
};

/**
 * zod 4 schema of {@link EndpointInput} (exported for hosts that validate admin requests): nest
 * it in a zod 4 schema (`zod`, or `zod/v4` of zod ≥ 3.25), in a zod 3 `z.object`, or call its
 * Standard Schema `['~standard'].validate(value)`.
 */
export const endpointInputSchema = /* @__PURE__ */ nestableInZod3(
  z
    .object({
      id: z.string().regex(idPattern).optional(),
      url: mutableFields.url,
      eventTypes: mutableFields.eventTypes.optional(),
      enabled: mutableFields.enabled.optional(),
      rateLimit: mutableFields.rateLimit.optional(),
      timeoutMs: mutableFields.timeoutMs.optional(),
      secret: z.string().refine(isValidSecret, { message: 'Expected a whsec_ secret of 24-64 bytes' }).optional(),
    })
    .strict(),
);

/** zod 4 schema of {@link EndpointUpdate}; nests like {@link endpointInputSchema}. */
export const endpointUpdateSchema = /* @__PURE__ */ nestableInZod3(z.object(mutableFields).partial().strict());

/** A new endpoint. */
export interface EndpointInput {
  /** `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`; generated (`ep_…`) when omitted. */
  id?: string | undefined;
  /** Where deliveries are POSTed (`https:` unless egress `allowHttp`). */
  url: string;
  /** Event types to deliver; `null`/omitted = every type. */
  eventTypes?: string[] | null | undefined;
  /** @defaultValue true */
  enabled?: boolean | undefined;
  /** At most `limit` deliveries per `intervalMs`; omitted = unlimited. */
  rateLimit?: { limit: number; intervalMs: number } | null | undefined;
  /** Per-request timeout in ms, 100–60 000. @defaultValue 15000 */
  timeoutMs?: number | undefined;
  /** A `whsec_…` secret to use; generated when omitted. */
  secret?: string | undefined;
}

/** Changes to an endpoint (secrets change only through `rotateSecret`). */
export type EndpointUpdate = Partial<Omit<EndpointInput, 'id' | 'secret'>>;

/**
 * Validates external input with a zod schema, failing with `delivery_invalid_endpoint` /
 * `delivery_invalid_event` and the issue paths in `extensions.issues`.
 */
export function parseInput<T>(
  schema: z.ZodType<T>,
  input: unknown,
  code: 'delivery_invalid_endpoint' | 'delivery_invalid_event',
): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new DeliveryError(code, {
    detail: issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '),
    extensions: { issues },
    cause: result.error,
  });
}

/** A random id with a prefix, e.g. `ep_3f9c…`, `msg_…`. */
export function randomId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;
}
