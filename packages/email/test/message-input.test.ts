import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regexes } from 'zod/v4/core';
import { EMAIL_PATTERN, parseMessageInput } from '../src/internal/message-input.js';
import { emailMessageSchema } from '../src/message-schema.js';
import { englishErrors } from './helpers/zod-english.js';

// The send path parses messages without zod (provider subpaths stay small on the edge); the
// exported emailMessageSchema is zod. Both must accept the same messages, normalize them the
// same way and word the same issues.

const message = { from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello' };

type Outcome = { value: unknown } | { issues: { path: string; said: unknown }[] };

function viaParser(input: unknown): Outcome {
  const result = parseMessageInput(input);
  if ('value' in result) return { value: result.value };
  return {
    issues: result.issues.map((i) => ({ path: i.path.join('.'), said: i.code ? i.keys : i.message })),
  };
}

function viaZod(input: unknown): Outcome {
  const result = emailMessageSchema.safeParse(input, englishErrors);
  if (result.success) return { value: result.data };
  return {
    issues: result.error.issues.map((i) => ({
      path: i.path.join('.'),
      said: i.code === 'unrecognized_keys' ? i.keys : i.message,
    })),
  };
}

const address = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((e) => `Ada <${e}>`),
  fc.emailAddress().map((e) => ` ${e} `),
  fc.string(),
  fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.option(fc.string(), { nil: undefined }) }),
  fc.record({ email: fc.emailAddress(), displayName: fc.string() }),
  fc.record({ email: fc.string(), nick: fc.string() }),
  fc.constantFrom(null, undefined, 42, [], {}, { email: 1 }, { email: 'a@b.test', name: null }),
);
const addresses = fc.oneof(address, fc.array(address, { maxLength: 3 }));
const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.anything());
const record = fc.oneof(
  fc.dictionary(fc.string(), fc.string()),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
  fc.constantFrom([], new Map(), null, new Date(0), Object.create(null)),
);
const attachment = fc.oneof(
  fc.record(
    {
      filename: fc.oneof(fc.string(), fc.constant(''), fc.integer()),
      content: fc.oneof(fc.string(), fc.uint8Array(), fc.integer()),
      contentType: fc.string(),
      contentId: fc.oneof(fc.string(), fc.boolean()),
      disposition: fc.string(),
    },
    { requiredKeys: ['filename', 'content'] },
  ),
  fc.anything(),
);
const candidate = fc.oneof(
  fc.anything(),
  fc.record(
    {
      from: field(address),
      to: field(addresses),
      cc: field(addresses),
      bcc: addresses,
      replyTo: addresses,
      subject: field(fc.oneof(fc.string(), fc.constant(''))),
      html: field(fc.string()),
      text: fc.oneof(fc.string(), fc.constant(undefined)),
      headers: record,
      attachments: fc.oneof(fc.array(attachment, { maxLength: 2 }), fc.anything()),
      tags: record,
      metadata: record,
      idempotencyKey: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(''), fc.constant('k'.repeat(257))),
      templateId: fc.string(),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string(), fc.jsonValue()).map((extra) => ({ ...message, ...extra })),
);

describe('parseMessageInput (the send path) agrees with emailMessageSchema (zod)', () => {
  it('accepts, normalizes and words issues as the zod schema does (property)', () => {
    fc.assert(
      fc.property(candidate, (input) => {
        expect(viaParser(input)).toEqual(viaZod(input));
      }),
      { numRuns: 800 },
    );
  });

  it('agrees on the messages users get wrong', () => {
    for (const input of [
      { ...message, to: { email: 'b@example.org', displayName: 'B' }, text: undefined },
      { ...message, to: { email: 'not an address', displayName: 'B' } },
      { ...message, subject: '', text: undefined },
      { ...message, to: [], foo: 1 },
      { ...message, headers: { 'X-A': 1 } },
      { ...message, headers: new Map() },
      { ...message, attachments: [{ filename: '', content: 1, x: 1 }] },
      { ...message, from: { email: 'a@example.com', name: null } },
      { ...message, idempotencyKey: 'k'.repeat(257) },
      // zod counts code points: 200 emoji are 400 UTF-16 units but 200 characters.
      { ...message, idempotencyKey: '😀'.repeat(200) },
      { ...message, idempotencyKey: '😀'.repeat(257) },
      { ...message, idempotencyKey: `${'\ud800'.repeat(2)}${'k'.repeat(255)}` },
      { ...message, subject: '\ud83d' },
      { ...message, subject: { length: 0 } },
      { ...message, idempotencyKey: ['k'] },
      Object.assign(Object.create({ subject: 'Inherited' }), { from: 'a@x.test', to: 'b@y.test', text: 'x' }),
      new Date(0),
      Number.NaN,
      Number.POSITIVE_INFINITY,
      class Custom {},
    ]) {
      expect(viaParser(input)).toEqual(viaZod(input));
    }
  });

  it("uses zod's email pattern", () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string(), fc.stringMatching(/^[\w.'+-]{0,8}@[\w.-]{0,12}$/)), (s) => {
        expect(EMAIL_PATTERN.test(s)).toBe(regexes.email.test(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('names a record instead of printing a symbol key (zod would put the symbol in the path)', () => {
    const result = parseMessageInput({ ...message, headers: { [Symbol('x')]: 'y' } });
    expect(result).toEqual({ issues: [{ path: ['headers'], message: 'Invalid key in record' }] });
  });
});
