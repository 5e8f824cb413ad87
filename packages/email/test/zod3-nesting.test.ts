import { describe, expect, it } from 'vitest';
import { z as z3 } from 'zod/v3';
import { type EmailMessageSchemaOutput, emailMessageSchema } from '../src/schema.js';

// zod 3 (here zod's own `zod/v3`, the same code as zod 3.25) nesting our zod 4 schema: it used to
// fail with `keyValidator._parse is not a function`.
const message = { from: 'Acme <hello@acme.test>', to: 'ada@example.com', subject: 'Hi', text: 'Hello' };

describe('emailMessageSchema nested in a zod 3 schema', () => {
  // zod 3's types do not know zod 4 schemas: the cast the README tells zod 3 hosts to write.
  const schema = emailMessageSchema as unknown as z3.ZodType<EmailMessageSchemaOutput>;
  const body = z3.object({
    welcome: schema,
    list: z3.array(schema).optional(),
    either: z3.union([z3.string(), schema]).optional(),
  });

  it('parses and normalizes a valid message', () => {
    const parsed = body.parse({ welcome: message, list: [message] });
    expect(parsed.welcome).toMatchObject({
      from: { email: 'hello@acme.test', name: 'Acme' },
      to: [{ email: 'ada@example.com' }],
    });
    expect(parsed.list?.[0]?.subject).toBe('Hi');
  });

  it('reports our issues under the host path, the zod 3 way', () => {
    const result = body.safeParse({ welcome: { ...message, subject: '' }, list: [message, { ...message, to: 'x' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      // zod/mini loads no locale: a host without one gets zod's bare message (the send path words its own).
      ['welcome.subject', expect.any(String)],
      ['list.1.to.0', 'Invalid email address'],
    ]);
  });

  it('does not show the method to zod 4 or to enumeration', () => {
    expect(Object.keys(emailMessageSchema)).not.toContain('_parse');
    expect(emailMessageSchema.safeParse(message).success).toBe(true);
  });

  it('answers zod 3 async parsing (arrays call _parseAsync)', async () => {
    const schema = emailMessageSchema as unknown as z3.ZodType<EmailMessageSchemaOutput>;
    const parsed = await z3.array(schema).parseAsync([message]);
    expect(parsed[0]?.to).toEqual([{ email: 'ada@example.com' }]);
  });
});
