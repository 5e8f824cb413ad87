import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { readSnsEnvelope } from '../src/webhooks/sns-envelope.js';

// parseSesWebhook reads the SNS envelope without zod (edge budget). The zod schema it used
// before is the reference: the same bodies pass, with the same fields.
const envelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string(),
  SigningCertURL: z.string(),
  Subject: z.optional(z.string()),
  SubscribeURL: z.optional(z.string()),
  Token: z.optional(z.string()),
});

const valid = {
  Type: 'Notification',
  MessageId: 'm-1',
  TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses',
  Message: '{}',
  Timestamp: '2026-01-01T00:00:00.000Z',
  SignatureVersion: '1',
  Signature: 'c2ln',
  SigningCertURL: 'https://sns.us-east-1.amazonaws.com/c.pem',
};
const keys = [...Object.keys(envelopeSchema.def.shape), 'UnsubscribeURL'];
const fieldValue = fc.oneof(
  fc.constantFrom(undefined, null, 1, '', '1', '2', '3', 'Notification', 'SubscriptionConfirmation', 'notification'),
  fc.string(),
  fc.anything(),
);
const body = fc.oneof(
  fc.anything(),
  fc.dictionary(fc.constantFrom(...keys), fieldValue).map((changes) => ({ ...valid, ...changes })),
  fc.subarray(keys).map((drop) => Object.fromEntries(Object.entries(valid).filter(([k]) => !drop.includes(k)))),
);

describe('readSnsEnvelope agrees with the zod envelope schema it replaced', () => {
  it('accepts exactly the bodies the schema accepts, with the same fields (property)', () => {
    fc.assert(
      fc.property(body, (json) => {
        const ours = readSnsEnvelope(json);
        const theirs = envelopeSchema.safeParse(json);
        expect('envelope' in ours).toBe(theirs.success);
        if ('envelope' in ours) expect(ours.envelope).toEqual(theirs.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the first field that is missing or of the wrong type, never its value', () => {
    expect(readSnsEnvelope({ ...valid, SignatureVersion: 3 })).toEqual({ invalid: 'SignatureVersion' });
    expect(readSnsEnvelope({ ...valid, Token: 5 })).toEqual({ invalid: 'Token' });
    expect(readSnsEnvelope([valid])).toEqual({ invalid: '(body)' });
  });
});
