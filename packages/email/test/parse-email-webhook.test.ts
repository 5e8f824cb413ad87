import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from '@bulwark/email/sendgrid';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_EVENT_METRIC, type EmailMetrics, type EmailWebhookRequest, isEmailConfigError } from '../src/index.js';
import { parseEmailWebhook } from '../src/webhooks.js';
import { bounceRaw, deliveryRaw } from './fixtures/postmark-events.js';
import { expectedTypes, events as sendgridEvents } from './fixtures/sendgrid-events.js';
import { createSendGridSigner } from './helpers/crypto.js';

const secrets = { username: 'postmark', password: 's3cret-pa55' };
const postmark = (rawBody: string, password = secrets.password): EmailWebhookRequest => ({
  headers: { authorization: `Basic ${btoa(`postmark:${password}`)}` },
  rawBody,
});

/** A metrics sink that records every increment. */
function recordingMetrics() {
  const calls: Array<{ name: string; labels: Readonly<Record<string, string>> | undefined }> = [];
  const metrics: EmailMetrics = { increment: (name, labels) => void calls.push({ name, labels }) };
  return { metrics, calls };
}

describe('parseEmailWebhook(provider, …)', () => {
  it.each(['sparkpost', 'constructor', '__proto__', 'toString'])(
    'rejects the unknown provider %s with email_config_invalid naming `provider`',
    async (provider) => {
      const rejection = parseEmailWebhook(provider as 'ses', { headers: {}, rawBody: '' }, {} as never);
      await expect(rejection).rejects.toMatchObject({ code: 'email_config_invalid', variable: 'provider' });
      expect(isEmailConfigError(await rejection.catch((error: unknown) => error))).toBe(true);
    },
  );
});

describe('parseEmailWebhook(…, { metrics })', () => {
  let sendgrid: { request: EmailWebhookRequest; key: string };
  beforeAll(async () => {
    const signer = await createSendGridSigner();
    const rawBody = JSON.stringify(sendgridEvents);
    const timestamp = '1513299600';
    const headers = {
      [SENDGRID_SIGNATURE_HEADER]: await signer.sign(timestamp, rawBody),
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    };
    sendgrid = { request: { headers, rawBody }, key: signer.publicKey };
  });

  it('counts each verified event by provider and type', async () => {
    const { metrics, calls } = recordingMetrics();
    await parseEmailWebhook('postmark', postmark(bounceRaw), { secrets, metrics });
    expect(calls).toEqual([{ name: EMAIL_EVENT_METRIC, labels: { provider: 'postmark', type: 'bounced' } }]);
  });

  it('counts every event of a batch', async () => {
    const { metrics, calls } = recordingMetrics();
    const clock = { now: () => 1513299600_000 };
    const events = await parseEmailWebhook('sendgrid', sendgrid.request, { secrets: sendgrid.key, metrics, clock });
    expect(events).toHaveLength(expectedTypes.length);
    expect(calls.map((call) => call.labels)).toEqual(expectedTypes.map((type) => ({ provider: 'sendgrid', type })));
  });

  it('counts nothing for a request that does not verify', async () => {
    const { metrics, calls } = recordingMetrics();
    await expect(
      parseEmailWebhook('postmark', postmark(deliveryRaw, 'wrong'), { secrets, metrics }),
    ).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    expect(calls).toEqual([]);
  });

  it('still returns the events when the sink throws', async () => {
    const metrics: EmailMetrics = {
      increment: () => {
        throw new Error('sink down');
      },
    };
    const events = await parseEmailWebhook('postmark', postmark(deliveryRaw), { secrets, metrics });
    expect(events.map((event) => event.type)).toEqual(['delivered']);
  });

  it.each([null, {}, { increment: 'nope' }])(
    'refuses metrics %j with email_config_invalid before reading the request',
    async (metrics) => {
      const unauthentic = postmark(deliveryRaw, 'wrong');
      await expect(
        parseEmailWebhook('postmark', unauthentic, { secrets, metrics: metrics as unknown as EmailMetrics }),
      ).rejects.toMatchObject({ code: 'email_config_invalid', variable: 'metrics' });
    },
  );
});
