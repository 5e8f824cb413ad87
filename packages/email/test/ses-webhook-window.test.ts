import { parseSesWebhook, SNS_DEFAULT_MAX_AGE_SEC, type SnsCertificateCache } from '@bulwark/email/ses';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { complaintNotification, notificationEnvelope, TOPIC } from './fixtures/ses-events.js';
import { createSnsSigner } from './helpers/crypto.js';

let signer: Awaited<ReturnType<typeof createSnsSigner>>;
let signed2020: { headers: Record<string, string>; rawBody: string };
const SENT_2020 = '2020-03-01T12:00:00.000Z';
const SENT_AT = Date.parse(SENT_2020);
beforeAll(async () => {
  signer = await createSnsSigner();
  const envelope = { ...notificationEnvelope(complaintNotification), Timestamp: SENT_2020 };
  signed2020 = { headers: {}, rawBody: JSON.stringify(await signer.sign(envelope, '2')) };
});

function options(nowMs: number, extra: Record<string, unknown> = {}) {
  return {
    fetchCertificate: vi.fn(async () => signer.pem),
    certificateCache: new Map() as SnsCertificateCache,
    allowedTopicArns: [TOPIC],
    clock: { now: () => nowMs },
    ...extra,
  };
}

describe('parseSesWebhook: replay window', () => {
  it('refuses a message signed in 2020 today, with no option set', async () => {
    await expect(parseSesWebhook(signed2020, options(Date.parse('2026-12-07T00:00:00Z')))).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('has exact edges: maxAgeSec away is accepted (past and future), one millisecond more is not', async () => {
    const window = SNS_DEFAULT_MAX_AGE_SEC * 1000;
    for (const now of [SENT_AT + window, SENT_AT - window, SENT_AT]) {
      await expect(parseSesWebhook(signed2020, options(now))).resolves.toHaveLength(1);
    }
    for (const now of [SENT_AT + window + 1, SENT_AT - window - 1]) {
      await expect(parseSesWebhook(signed2020, options(now))).rejects.toMatchObject({
        code: 'email_webhook_signature_invalid',
      });
    }
    await expect(parseSesWebhook(signed2020, options(SENT_AT + 60_001, { maxAgeSec: 60 }))).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    await expect(parseSesWebhook(signed2020, options(SENT_AT + 60_000, { maxAgeSec: 60 }))).resolves.toHaveLength(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 86_401, '60', null])(
    'rejects maxAgeSec %s before reading the request',
    async (maxAgeSec) => {
      const opts = options(SENT_AT, { maxAgeSec });
      await expect(parseSesWebhook(signed2020, opts as never)).rejects.toMatchObject({
        code: 'email_config_invalid',
        variable: 'maxAgeSec',
      });
      expect(opts.fetchCertificate).not.toHaveBeenCalled();
    },
  );
});

describe('parseSesWebhook: unauthenticated input is a signature failure, never "malformed"', () => {
  it.each([
    ['not JSON', 'Hello'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['a JSON array', '[1,2,3]'],
    ['a partial envelope', '{"Type":"Notification"}'],
    ['wrong types', JSON.stringify({ ...notificationEnvelope({}), SignatureVersion: 1, Signature: 123 })],
    [
      'a confirmation without a token',
      JSON.stringify({ ...notificationEnvelope({}), Type: 'SubscriptionConfirmation', Signature: 'x' }),
    ],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['a huge string', JSON.stringify({ Type: 'Notification', Message: 'x'.repeat(2_000_000) })],
  ])('%s', async (_, rawBody) => {
    const opts = options(SENT_AT);
    await expect(parseSesWebhook({ headers: {}, rawBody }, opts)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    expect(opts.fetchCertificate).not.toHaveBeenCalled();
  });

  it('any JSON value a stranger posts is refused as unauthentic (property)', async () => {
    const opts = options(SENT_AT);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (body) => {
          await expect(parseSesWebhook({ headers: {}, rawBody: body }, opts)).rejects.toMatchObject({
            code: 'email_webhook_signature_invalid',
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps email_webhook_malformed for authentic messages SES did not write', async () => {
    const envelope = { ...notificationEnvelope({}), Timestamp: SENT_2020, Message: 'Hello world!' };
    const request = { headers: {}, rawBody: JSON.stringify(await signer.sign(envelope, '2')) };
    await expect(parseSesWebhook(request, options(SENT_AT))).rejects.toMatchObject({ code: 'email_webhook_malformed' });
  });
});
