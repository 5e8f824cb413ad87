import { mailgunSignature } from '@bulwark/email/mailgun';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from '@bulwark/email/sendgrid';
import { FakeClock } from '@bulwark/testing';
import { createMemoryReplayStore, createWebhookSigner } from '@bulwark/webhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EmailWebhookRequest } from '../src/index.js';
import { type EmailWebhookProvider, parseEmailWebhook } from '../src/webhooks.js';
import { delivered, signature as mailgunSignatureFields } from './fixtures/mailgun-events.js';
import { deliveryRaw } from './fixtures/postmark-events.js';
import { bounced } from './fixtures/resend-events.js';
import { events as sendgridEvents } from './fixtures/sendgrid-events.js';
import { createSendGridSigner } from './helpers/crypto.js';

const RESEND_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MAILGUN_KEY = 'key-7e55d003b595d1d6e4d5a2f3e7a9c2b1';
const POSTMARK = { username: 'postmark', password: 's3cret:pa55' };
const resendClock = new FakeClock(Date.parse('2024-11-22T23:41:13Z'));
const mailgunClock = new FakeClock(Number(mailgunSignatureFields.timestamp) * 1000);

/** One correctly signed request per secret-based provider, plus its secret and clock. */
const signed: Partial<
  Record<Exclude<EmailWebhookProvider, 'ses'>, { request: EmailWebhookRequest; secret: unknown; clock: FakeClock }>
> = {};

beforeAll(async () => {
  const resendSigner = createWebhookSigner({ scheme: 'standard', secrets: RESEND_SECRET, clock: resendClock });
  const resendBody = JSON.stringify(bounced);
  const resendHeaders = await resendSigner.sign({ body: resendBody, id: 'msg_secrets' });
  signed.resend = {
    request: {
      rawBody: resendBody,
      headers: {
        'svix-id': resendHeaders['webhook-id']!,
        'svix-timestamp': resendHeaders['webhook-timestamp']!,
        'svix-signature': resendHeaders['webhook-signature']!,
      },
    },
    secret: RESEND_SECRET,
    clock: resendClock,
  };

  const sendgrid = await createSendGridSigner();
  const sendgridBody = JSON.stringify(sendgridEvents);
  const timestamp = '1513299600';
  signed.sendgrid = {
    request: {
      rawBody: sendgridBody,
      headers: {
        [SENDGRID_SIGNATURE_HEADER]: await sendgrid.sign(timestamp, sendgridBody),
        [SENDGRID_TIMESTAMP_HEADER]: timestamp,
      },
    },
    secret: sendgrid.publicKey,
    clock: new FakeClock(Number(timestamp) * 1000),
  };

  const { timestamp: mgTimestamp, token } = mailgunSignatureFields;
  const mgSignature = await mailgunSignature(MAILGUN_KEY, mgTimestamp, token);
  signed.mailgun = {
    request: {
      headers: {},
      rawBody: JSON.stringify({
        signature: { timestamp: mgTimestamp, token, signature: mgSignature },
        'event-data': delivered,
      }),
    },
    secret: MAILGUN_KEY,
    clock: mailgunClock,
  };

  signed.postmark = {
    request: {
      headers: { authorization: `Basic ${btoa(`${POSTMARK.username}:${POSTMARK.password}`)}` },
      rawBody: deliveryRaw,
    },
    secret: POSTMARK,
    clock: new FakeClock(),
  };
});

/** Mailgun refuses a replayed token: give each parse a fresh replay store. */
const extras = (provider: string) =>
  provider === 'mailgun' ? { replayStore: createMemoryReplayStore({ clock: mailgunClock }) } : {};

const parse = (provider: Exclude<EmailWebhookProvider, 'ses'>, options: Record<string, unknown>) =>
  parseEmailWebhook(provider, signed[provider]!.request, { ...extras(provider), ...options } as never);

const PROVIDERS = ['resend', 'sendgrid', 'mailgun', 'postmark'] as const;

/** The per-provider names used before `secrets`; removed before the first release. */
const FORMER_NAMES = [
  ['resend', 'secret'],
  ['sendgrid', 'publicKey'],
  ['mailgun', 'signingKey'],
  ['postmark', 'credentials'],
] as const;

describe('parseEmailWebhook(provider, request, { secrets, clock })', () => {
  it.each(PROVIDERS)('verifies %s with the shared { secrets, clock } shape', async (provider) => {
    const { secret, clock } = signed[provider]!;
    const events = await parse(provider, { secrets: secret, clock });
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]!.provider).toBe(provider);
  });

  it.each(PROVIDERS)('accepts a rotation list for %s, wherever the matching secret sits', async (provider) => {
    const { secret, clock } = signed[provider]!;
    const other =
      provider === 'postmark'
        ? { username: 'postmark', password: 'old' }
        : `whsec_${btoa('previous-secret-of-32-bytes-long')}`;
    const stale = provider === 'sendgrid' ? (await createSendGridSigner()).publicKey : other;
    await expect(parse(provider, { secrets: [stale, secret], clock })).resolves.toBeDefined();
    await expect(parse(provider, { secrets: [stale], clock })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it.each(FORMER_NAMES)('refuses %s options that name the secret `%s` instead of `secrets`', async (provider, name) => {
    const { secret, clock } = signed[provider]!;
    await expect(parse(provider, { [name]: secret, clock })).rejects.toMatchObject({
      code: 'email_config_invalid',
      variable: 'secrets',
    });
  });

  it.each(PROVIDERS)(
    'refuses %s without secrets or with an empty list, before reading the request',
    async (provider) => {
      const { clock } = signed[provider]!;
      for (const options of [{ clock }, { secrets: [], clock }, { secrets: undefined, clock }]) {
        await expect(parse(provider, options)).rejects.toMatchObject({
          code: 'email_config_invalid',
          variable: 'secrets',
        });
      }
    },
  );

  it.each(['resend', 'sendgrid', 'mailgun'] as const)('refuses blank or non-string %s secrets', async (provider) => {
    const { clock } = signed[provider]!;
    for (const secrets of ['', '   ', [42], [signed[provider]!.secret, '']]) {
      await expect(parse(provider, { secrets, clock })).rejects.toMatchObject({
        code: 'email_config_invalid',
        variable: 'secrets',
      });
    }
  });
});

describe('Postmark secrets', () => {
  it("accepts 'username:password' strings, splitting at the first colon (RFC 7617)", async () => {
    await expect(parse('postmark', { secrets: 'postmark:s3cret:pa55' })).resolves.toBeDefined();
    await expect(parse('postmark', { secrets: ['other:x', 'postmark:s3cret:pa55'] })).resolves.toBeDefined();
    await expect(parse('postmark', { secrets: 'postmark:s3cret' })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('refuses credentials that could never match a Basic header', async () => {
    const malformed = [
      'no-colon',
      ':password-only',
      'user:',
      { username: '', password: 'p' },
      { username: 'a:b', password: 'p' },
      { username: 'u', password: '' },
      { username: 'u' },
      null,
      7,
    ];
    for (const secrets of malformed) {
      await expect(parse('postmark', { secrets })).rejects.toMatchObject({
        code: 'email_config_invalid',
        variable: 'secrets',
      });
    }
  });
});
