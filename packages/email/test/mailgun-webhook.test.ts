import { mailgunSignature, parseMailgunWebhook } from '@bulwark/email/mailgun';
import { FakeClock } from '@bulwark/testing';
import { createMemoryReplayStore } from '@bulwark/webhooks';
import { describe, expect, it } from 'vitest';
import { parseEmailWebhook } from '../src/webhooks.js';
import {
  delivered,
  failedPermanent,
  failedSuppressed,
  failedTemporary,
  others,
  signature,
  officialVector as v,
} from './fixtures/mailgun-events.js';

const signingKey = 'key-7e55d003b595d1d6e4d5a2f3e7a9c2b1';
const at = Number(signature.timestamp) * 1000;

async function signed(eventData: unknown, token = signature.token, timestamp = signature.timestamp) {
  const sig = await mailgunSignature(signingKey, timestamp, token);
  return JSON.stringify({ signature: { timestamp, token, signature: sig }, 'event-data': eventData });
}

function fresh() {
  const clock = new FakeClock(at);
  return { clock, replayStore: createMemoryReplayStore({ clock }), secrets: signingKey };
}

describe('Mailgun signature (official mailgun-php vector)', () => {
  it('computes the published signature', async () => {
    await expect(mailgunSignature(v.signingKey, v.timestamp, v.token)).resolves.toBe(v.signature);
  });

  it('accepts the signed request at its time and refuses the bad-token variant', async () => {
    const clock = new FakeClock(Number(v.timestamp) * 1000);
    const options = { secrets: v.signingKey, clock, replayStore: createMemoryReplayStore({ clock }) };
    const body = (token: string) =>
      JSON.stringify({ signature: { timestamp: v.timestamp, token, signature: v.signature }, 'event-data': delivered });
    await expect(parseMailgunWebhook({ headers: {}, rawBody: body(v.token) }, options)).resolves.toMatchObject([
      { type: 'delivered' },
    ]);
    await expect(parseMailgunWebhook({ headers: {}, rawBody: body(v.badToken) }, options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });
});

describe('parseMailgunWebhook', () => {
  it('verifies the HMAC and normalizes a delivered event', async () => {
    const events = await parseEmailWebhook('mailgun', { headers: {}, rawBody: await signed(delivered) }, fresh());
    expect(events).toEqual([
      {
        type: 'delivered',
        provider: 'mailgun',
        recipient: 'alice@example.com',
        providerMessageId: '20130503182626.18666.16540@sandbox.mailgun.org',
        eventId: 'DACSsAdVSeGpLid7TN03WA',
        occurredAt: new Date(1529006854330),
        metadata: { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome' },
        raw: delivered,
      },
    ]);
  });

  it('reads failed+temporary as deferred, failed+permanent as a hard bounce, suppress-* as suppressed', async () => {
    const parse = async (data: unknown, token: string) =>
      (await parseMailgunWebhook({ headers: {}, rawBody: await signed(data, token) }, fresh()))[0]!;
    expect((await parse(failedTemporary, 't1')).type).toBe('deferred');
    expect(await parse(failedPermanent, 't2')).toMatchObject({
      type: 'bounced',
      bounce: {
        kind: 'hard',
        code: '550',
        diagnostic: '550 5.1.1 The email account that you tried to reach does not exist.',
      },
      occurredAt: new Date(1521233195376),
    });
    expect((await parse(failedSuppressed, 't3')).type).toBe('suppressed');
    expect((await parse({ ...failedPermanent, severity: undefined }, 't4')).bounce?.kind).toBe('undetermined');
    // Older payloads carry the diagnostic in delivery-status.message; none at all leaves it out.
    const withMessage = { ...failedPermanent, 'delivery-status': { code: 550, message: 'mailbox unavailable' } };
    expect((await parse(withMessage, 't5')).bounce).toEqual({
      kind: 'hard',
      code: '550',
      diagnostic: 'mailbox unavailable',
    });
    const bare = { ...failedPermanent, 'delivery-status': {} };
    expect((await parse(bare, 't6')).bounce).toEqual({ kind: 'hard' });
  });

  it.each(others)('maps %s to %s', async (event, type) => {
    const events = await parseMailgunWebhook({ headers: {}, rawBody: await signed({ ...delivered, event }) }, fresh());
    expect(events[0]!.type).toBe(type);
  });

  it('refuses a replayed token', async () => {
    const options = fresh();
    const rawBody = await signed(delivered);
    await parseMailgunWebhook({ headers: {}, rawBody }, options);
    await expect(parseMailgunWebhook({ headers: {}, rawBody }, options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
      detail: expect.stringContaining('replay'),
    });
  });

  it('refuses a wrong key, a stale timestamp and missing fields', async () => {
    const rawBody = await signed(delivered);
    await expect(parseMailgunWebhook({ headers: {}, rawBody }, { ...fresh(), secrets: 'other' })).rejects.toMatchObject(
      {
        code: 'email_webhook_signature_invalid',
      },
    );
    const late = { ...fresh(), clock: new FakeClock(at + 301_000) };
    await expect(parseMailgunWebhook({ headers: {}, rawBody }, late)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    await expect(parseMailgunWebhook({ headers: {}, rawBody: '{"event-data":{}}' }, fresh())).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('accepts rotated keys and refuses authentic but malformed event data', async () => {
    const options = { ...fresh(), secrets: ['old-key', signingKey] };
    await expect(
      parseMailgunWebhook({ headers: {}, rawBody: await signed(delivered, 'r1') }, options),
    ).resolves.toBeDefined();
    await expect(
      parseMailgunWebhook({ headers: {}, rawBody: await signed(null, 'r2') }, options),
    ).rejects.toMatchObject({
      code: 'email_webhook_malformed',
    });
    await expect(
      parseMailgunWebhook({ headers: {}, rawBody: await signed({ event: 'delivered' }, 'r3') }, options),
    ).rejects.toMatchObject({
      code: 'email_webhook_malformed',
    });
    // Not JSON: it carries no signature, so it is not authentic (never "authentic but malformed").
    await expect(parseMailgunWebhook({ headers: {}, rawBody: '{' }, options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('uses a process-wide replay store and the system clock by default', async () => {
    const now = Math.floor(Date.now() / 1000).toString();
    const rawBody = await signed(delivered, `default-${now}`, now);
    await expect(parseMailgunWebhook({ headers: {}, rawBody }, { secrets: signingKey })).resolves.toBeDefined();
    await expect(parseMailgunWebhook({ headers: {}, rawBody }, { secrets: signingKey })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });
});
