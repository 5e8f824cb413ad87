import { nestableInZod3 } from '@bulwark/core';
import * as z from 'zod/v4/mini';
import type { EmailAddress, EmailAttachment } from './message.js';

const EMAIL = z.email();
const NAMED = /^\s*(?:"?([^"<]*?)"?\s*)<([^<>\s]+)>\s*$/;

const addressSchema = z.pipe(
  z.union([z.string(), z.strictObject({ email: z.string(), name: z.optional(z.string()) })]),
  z.transform((value: string | { email: string; name?: string | undefined }, ctx): EmailAddress => {
    let email: string;
    let name: string | undefined;
    if (typeof value === 'string') {
      const named = NAMED.exec(value);
      email = named ? (named[2] as string) : value.trim();
      name = named?.[1]?.trim() || undefined;
    } else {
      email = value.email.trim();
      name = value.name?.trim() || undefined;
    }
    if (!EMAIL.safeParse(email).success) {
      // The address itself stays out of the message: errors travel to logs and clients.
      ctx.issues.push({ code: 'custom', message: 'Invalid email address', input: value });
      return z.NEVER;
    }
    return name === undefined ? { email } : { email, name };
  }),
);

const addressListSchema = z.pipe(
  z.transform((v: unknown) => (Array.isArray(v) ? v : [v])),
  z.array(addressSchema),
);

const attachmentSchema = z.strictObject({
  filename: z.string().check(z.minLength(1)),
  /** Base64 string or raw bytes. */
  content: z.union([z.string(), z.instanceof(Uint8Array)]),
  contentType: z.optional(z.string()),
  /** Content-ID for inline images (`cid:`). */
  contentId: z.optional(z.string()),
});

const stringRecord = z.record(z.string(), z.string());

/** What {@link emailMessageSchema} outputs: addresses normalized, lists as arrays, defaults not applied. */
export interface EmailMessageSchemaOutput {
  from: EmailAddress;
  to: EmailAddress[];
  cc?: EmailAddress[] | undefined;
  bcc?: EmailAddress[] | undefined;
  replyTo?: EmailAddress[] | undefined;
  subject: string;
  html?: string | undefined;
  text?: string | undefined;
  headers?: Record<string, string> | undefined;
  attachments?: EmailAttachment[] | undefined;
  tags?: Record<string, string> | undefined;
  metadata?: Record<string, string> | undefined;
  idempotencyKey?: string | undefined;
}

/**
 * The schema of an `EmailMessage`: a zod 4 (`zod/mini`) schema, so also a Standard Schema
 * (`emailMessageSchema['~standard'].validate(value)`). Exposed so hosts can validate at their own
 * edge: nest it in a zod 4 schema (`zod`, or `zod/v4` of zod ≥ 3.25) or in a zod 3 `z.object`.
 */
export const emailMessageSchema: z.ZodMiniType<EmailMessageSchemaOutput, unknown> = /* @__PURE__ */ nestableInZod3(
  z
    .strictObject({
      from: addressSchema,
      to: addressListSchema,
      cc: z.optional(addressListSchema),
      bcc: z.optional(addressListSchema),
      replyTo: z.optional(addressListSchema),
      subject: z.string().check(z.minLength(1)),
      html: z.optional(z.string()),
      text: z.optional(z.string()),
      headers: z.optional(stringRecord),
      attachments: z.optional(z.array(attachmentSchema)),
      tags: z.optional(stringRecord),
      metadata: z.optional(stringRecord),
      idempotencyKey: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    })
    .check(
      z.refine((m) => m.html !== undefined || m.text !== undefined, { message: 'One of `html` or `text` is required' }),
      z.refine((m) => m.to.length > 0, { message: '`to` needs at least one recipient', path: ['to'] }),
    ),
);
