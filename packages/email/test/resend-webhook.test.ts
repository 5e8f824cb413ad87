import { parseResendWebhook } from '@bulwark/email/resend';
import { FakeClock } from '@bulwark/testing';
import { createMemoryReplayStore, createWebhookSigner } from '@bulwark/webhooks';
import { describe, expect, it } from 'vitest';
import { parseEmailWebhook } from '../src/webhooks.js';
import {
  bounced,
  deliveredWithTagArray,
  eventOf,
  simpleEvents,
  standardWebhooksVector as v,
} from './fixtures/resend-events.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const clock = new FakeClock(Date.parse('2024-11-22T23:41:13Z'));
const signer = createWebhookSigner({ scheme: 'standard', secrets: secret, clock });

/** Signs like Resend (through Svix): `svix-*` headers. */
async function signed(payload: unknown, id = 'msg_2xyz') {
  const rawBody = JSON.stringify(payload);
  const headers = await signer.sign({ body: rawBody, id });
  return {
    rawBody,
    headers: {
      'svix-id': headers['webhook-id']!,
      'svix-timestamp': headers['webhook-timestamp']!,
      'svix-signature': headers['webhook-signature']!,
    },
  };
}

describe('parseResendWebhook', () => {
  it('verifies the Standard Webhooks reference vector, then reports its body as malformed', async () => {
    const request = {
      headers: { 'svix-id': v.id, 'svix-timestamp': String(v.timestamp), 'svix-signature': v.signature },
      rawBody: v.body,
    };
    const options = { secrets: v.secret, clock: new FakeClock(v.timestamp * 1000) };
    await expect(parseResendWebhook(request, options)).rejects.toMatchObject({ code: 'email_webhook_malformed' });
    const tampered = { ...request, rawBody: v.body.replace('2432232314', '2432232315') };
    await expect(parseResendWebhook(tampered, options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const late = { secrets: v.secret, clock: new FakeClock((v.timestamp + 301) * 1000) };
    await expect(parseResendWebhook(request, late)).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
  });

  it('normalizes a bounce with tags as an object', async () => {
    const events = await parseEmailWebhook('resend', await signed(bounced), { secrets: secret, clock });
    expect(events).toEqual([
      {
        type: 'bounced',
        provider: 'resend',
        recipient: 'delivered@resend.dev',
        providerMessageId: '56761188-7520-42d8-8898-ff6fc54ce618',
        eventId: 'msg_2xyz',
        occurredAt: new Date('2024-11-22T23:41:12.126Z'),
        metadata: { category: 'confirm_email' },
        bounce: { kind: 'hard', code: 'Suppressed', diagnostic: bounced.data.bounce.message },
        raw: bounced,
      },
    ]);
  });

  it('reads tags given as an array; an event listing several recipients names none of them', async () => {
    const events = await parseResendWebhook(await signed(deliveredWithTagArray), { secrets: secret, clock });
    expect(events.map((e) => [e.type, e.recipient, e.candidates, e.metadata, e.eventId])).toEqual([
      ['delivered', '', ['delivered@resend.dev', 'second@resend.dev'], { category: 'confirm_email' }, 'msg_2xyz'],
    ]);
  });

  it.each(simpleEvents)('maps %s to %s', async (type, expected) => {
    const events = await parseResendWebhook(await signed(eventOf(type)), { secrets: secret, clock });
    expect(events[0]!.type).toBe(expected);
  });

  it('classifies transient and unknown bounce types', async () => {
    const soft = { ...bounced, data: { ...bounced.data, bounce: { type: 'Transient' } } };
    expect((await parseResendWebhook(await signed(soft), { secrets: secret, clock }))[0]!.bounce).toEqual({
      kind: 'soft',
    });
    const odd = { ...bounced, data: { ...bounced.data, bounce: undefined, to: 'solo@resend.dev' } };
    expect((await parseResendWebhook(await signed(odd), { secrets: secret, clock }))[0]).toMatchObject({
      recipient: 'solo@resend.dev',
      bounce: { kind: 'undetermined' },
    });
  });

  it('refuses a replayed svix-id when given a replay store', async () => {
    const replayStore = createMemoryReplayStore({ clock });
    const request = await signed(bounced, 'msg_replayed');
    await parseResendWebhook(request, { secrets: secret, clock, replayStore });
    await expect(parseResendWebhook(request, { secrets: secret, clock, replayStore })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('refuses authentic but malformed payloads and unusable secrets', async () => {
    for (const payload of [{ data: {} }, { type: 'email.sent' }, { type: 'email.sent', data: {} }]) {
      await expect(parseResendWebhook(await signed(payload), { secrets: secret, clock })).rejects.toMatchObject({
        code: 'email_webhook_malformed',
      });
    }
    const request = await signed(bounced);
    await expect(parseResendWebhook(request, { secrets: 'whsec_short', clock })).rejects.toThrow();
    await expect(
      parseResendWebhook({ headers: {}, rawBody: '{}' }, { secrets: [secret], clock }),
    ).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });
});
