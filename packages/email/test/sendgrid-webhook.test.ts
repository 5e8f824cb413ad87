import { parseSendGridWebhook, verifySendGridSignature } from '@bulwark/email/sendgrid';
import { FakeClock } from '@bulwark/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEmailWebhook } from '../src/webhooks.js';
import { events, expectedTypes, officialVector as v } from './fixtures/sendgrid-events.js';
import { createSendGridSigner } from './helpers/crypto.js';

const headersFor = (signature: string, timestamp: string) => ({
  'X-Twilio-Email-Event-Webhook-Signature': signature,
  'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
});

describe('verifySendGridSignature (official sendgrid-nodejs vector)', () => {
  it('verifies the valid signature', async () => {
    await expect(
      verifySendGridSignature({ signature: v.signature, timestamp: v.timestamp, rawBody: v.payload }, v.publicKey),
    ).resolves.toBe(true);
  });

  it.each([
    ['another key', { key: v.otherPublicKey }],
    ['a changed payload', { rawBody: 'payload' }],
    ['a changed signature', { signature: v.badSignature }],
    ['a changed timestamp', { timestamp: 'timestamp' }],
    ['a garbage key', { key: 'not-a-key' }],
    ['a non-DER signature', { signature: 'AAAA' }],
  ] as Array<[string, { key?: string; rawBody?: string; signature?: string; timestamp?: string }]>)(
    'rejects %s',
    async (_, change) => {
      const { key, ...rest } = change;
      const input = { signature: v.signature, timestamp: v.timestamp, rawBody: v.payload, ...rest };
      await expect(verifySendGridSignature(input, key ?? v.publicKey)).resolves.toBe(false);
    },
  );

  it('accepts the key as PEM and the body as bytes', async () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${v.publicKey}\n-----END PUBLIC KEY-----`;
    const rawBody = new TextEncoder().encode(v.payload);
    await expect(
      verifySendGridSignature({ signature: v.signature, timestamp: v.timestamp, rawBody }, pem),
    ).resolves.toBe(true);
  });

  it('passes verification in parseSendGridWebhook, then refuses the non-array vector body as malformed', async () => {
    const request = { headers: headersFor(v.signature, v.timestamp), rawBody: v.payload };
    const clock = new FakeClock(Number(v.timestamp) * 1000);
    await expect(
      parseSendGridWebhook(request, { secrets: [v.otherPublicKey, v.publicKey], clock }),
    ).rejects.toMatchObject({ code: 'email_webhook_malformed' });
    await expect(parseSendGridWebhook(request, { secrets: v.otherPublicKey, clock })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    // Signed in 2020: with no option set, it does not verify today.
    await expect(parseSendGridWebhook(request, { secrets: v.publicKey })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });
});

describe('parseSendGridWebhook', () => {
  let signer: Awaited<ReturnType<typeof createSendGridSigner>>;
  const body = JSON.stringify(events);
  const timestamp = '1513299600';
  const clock = new FakeClock(Number(timestamp) * 1000);
  beforeAll(async () => {
    signer = await createSendGridSigner();
  });

  it('normalizes every documented event of a signed batch', async () => {
    const request = { headers: headersFor(await signer.sign(timestamp, body), timestamp), rawBody: body };
    const parsed = await parseEmailWebhook('sendgrid', request, { secrets: signer.publicKey, clock });
    expect(parsed.rejected).toEqual([]);
    expect(parsed.map((e) => e.type)).toEqual(expectedTypes);
    expect(parsed[0]).toMatchObject({
      provider: 'sendgrid',
      recipient: 'example@test.com',
      providerMessageId: '14c5d75ce93.dfd.64b469',
      eventId: 'rbtnWrG1DVDGGGFHFyun0A==',
      occurredAt: new Date(1513299569 * 1000),
      metadata: { user_id: 'u_42' },
    });
    expect(parsed[5]!.bounce).toEqual({ kind: 'hard', code: '5.0.0', diagnostic: '500 unknown recipient' });
    expect(parsed[6]!.bounce).toMatchObject({ kind: 'soft' });
    expect(parsed[12]!.raw).toEqual(events[12]);
  });

  it('rejects a tampered body, missing headers and a stale timestamp', async () => {
    const signature = await signer.sign(timestamp, body);
    const tampered = { headers: headersFor(signature, timestamp), rawBody: body.replace('cat facts', 'dog facts') };
    await expect(parseSendGridWebhook(tampered, { secrets: signer.publicKey, clock })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    await expect(
      parseSendGridWebhook({ headers: {}, rawBody: body }, { secrets: signer.publicKey, clock }),
    ).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const later = new FakeClock((Number(timestamp) + 600) * 1000);
    const fresh = { headers: headersFor(signature, timestamp), rawBody: body };
    await expect(
      parseSendGridWebhook(fresh, { secrets: signer.publicKey, toleranceSec: 300, clock: later }),
    ).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    await expect(
      parseSendGridWebhook(fresh, { secrets: signer.publicKey, toleranceSec: 900, clock: later }),
    ).resolves.toHaveLength(events.length);
  });

  it('reports signed items without email or timestamp in `rejected`, and refuses a non-array body', async () => {
    for (const bad of ['[{"event":"delivered"}]', '[1]', '[{"email":"a@b.test","timestamp":"x"}]']) {
      const request = { headers: new Headers(headersFor(await signer.sign(timestamp, bad), timestamp)), rawBody: bad };
      const parsed = await parseSendGridWebhook(request, { secrets: signer.publicKey, clock });
      expect(parsed).toEqual([]);
      expect(parsed.rejected).toMatchObject([{ index: 0, error: { code: 'email_webhook_malformed' } }]);
    }
    const object = '{"email":"a@b.test"}';
    const request = { headers: headersFor(await signer.sign(timestamp, object), timestamp), rawBody: object };
    await expect(parseSendGridWebhook(request, { secrets: signer.publicKey, clock })).rejects.toMatchObject({
      code: 'email_webhook_malformed',
    });
  });
});
