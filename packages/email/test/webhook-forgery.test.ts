import { FakeClock } from '@bulwark/testing';
import { createWebhookSigner } from '@bulwark/webhooks';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { suppressionsFromEvents } from '../src/index.js';
import { type EmailWebhookOptionsByProvider, type EmailWebhookProvider, parseEmailWebhook } from '../src/webhooks.js';
import { createSendGridSigner, createSnsSigner } from './helpers/crypto.js';

const NOW = Date.UTC(2026, 11, 7, 8, 0, 0);
const clock = new FakeClock(NOW);
const RESEND_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let options: { [P in EmailWebhookProvider]: EmailWebhookOptionsByProvider[P] };

beforeAll(async () => {
  const sendgrid = await createSendGridSigner();
  const sns = await createSnsSigner();
  options = {
    resend: { secrets: RESEND_SECRET, clock },
    postmark: { secrets: 'hook:correct horse battery staple', clock },
    sendgrid: { secrets: sendgrid.publicKey, clock },
    ses: {
      allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:ses'],
      clock,
      fetchCertificate: vi.fn(async () => sns.pem),
      certificateCache: new Map(),
    },
    mailgun: { secrets: 'key-signing', clock },
  };
});

const providers: EmailWebhookProvider[] = ['resend', 'postmark', 'sendgrid', 'ses', 'mailgun'];

/** Header names each provider reads, so the generator also forges plausible ones. */
const headerNames = fc.constantFrom(
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'webhook-signature',
  'authorization',
  'x-twilio-email-event-webhook-signature',
  'x-twilio-email-event-webhook-timestamp',
  'x-amz-sns-message-type',
  'content-type',
);
const forgedHeaders = fc.dictionary(
  headerNames,
  fc.oneof(fc.string(), fc.constant(String(NOW / 1000)), fc.constant('Basic aG9vazp4')),
);
const forgedBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constant(JSON.stringify([{ email: 'victim@example.com', event: 'spamreport', timestamp: NOW / 1000 }])),
  fc.constant(
    JSON.stringify({
      RecordType: 'SpamComplaint',
      Email: 'victim@example.com',
      BouncedAt: new Date(NOW).toISOString(),
    }),
  ),
  fc.constant(
    JSON.stringify({
      signature: { timestamp: String(NOW / 1000), token: 't', signature: '0'.repeat(64) },
      'event-data': { event: 'complained', recipient: 'victim@example.com', timestamp: NOW / 1000 },
    }),
  ),
);

describe('no unauthenticated request ever yields an event (every provider)', () => {
  it.each(providers)('%s: any forged headers and body are refused as unauthentic (property)', async (provider) => {
    await fc.assert(
      fc.asyncProperty(forgedHeaders, forgedBody, async (headers, rawBody) => {
        let suppressed: unknown[] = [];
        const outcome = parseEmailWebhook(provider, { headers, rawBody }, options[provider] as never).then((events) => {
          suppressed = suppressionsFromEvents(events);
        });
        await expect(outcome).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
        expect(suppressed).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('Resend tolerance edges (Standard Webhooks timestamps are whole seconds)', () => {
  it('accepts exactly toleranceSec away, past and future, and refuses one second more', async () => {
    const body = JSON.stringify({
      type: 'email.delivered',
      created_at: new Date(NOW).toISOString(),
      data: { to: ['a@example.com'] },
    });
    const at = async (offsetSec: number) => {
      const signer = createWebhookSigner({
        scheme: 'standard',
        secrets: RESEND_SECRET,
        clock: new FakeClock(NOW + offsetSec * 1000),
      });
      const h = await signer.sign({ body, id: `msg_${offsetSec}` });
      const headers = {
        'svix-id': h['webhook-id']!,
        'svix-timestamp': h['webhook-timestamp']!,
        'svix-signature': h['webhook-signature']!,
      };
      return parseEmailWebhook('resend', { headers, rawBody: body }, { secrets: RESEND_SECRET, clock });
    };
    await expect(at(-300)).resolves.toHaveLength(1);
    await expect(at(300)).resolves.toHaveLength(1);
    await expect(at(-301)).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    await expect(at(301)).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
  });
});
