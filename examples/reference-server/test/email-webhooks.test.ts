import { mailgunSignature } from '@bulwark/email/mailgun';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from '@bulwark/email/sendgrid';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

// Minimal payloads in each provider's documented shape:
// Resend https://resend.com/docs/dashboard/webhooks/event-types
// Postmark https://postmarkapp.com/developer/webhooks/spam-complaint-webhook
// SendGrid https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
// Mailgun https://documentation.mailgun.com/docs/mailgun/user-manual/events/webhooks/
const resendBounce = {
  type: 'email.bounced',
  created_at: '2026-11-22T00:00:01.000Z',
  data: {
    created_at: '2026-11-22T00:00:00.000Z',
    email_id: 'em_1',
    to: ['gone@example.com'],
    bounce: { message: 'Mailbox does not exist', subType: 'General', type: 'Permanent' },
  },
};
const postmarkComplaint = {
  RecordType: 'SpamComplaint',
  ID: 42,
  MessageID: '00000000-0000-0000-0000-000000000001',
  Email: 'angry@example.com',
  BouncedAt: '2026-11-22T00:00:00Z',
};
const sendgridBatch = [
  { email: 'a@example.com', timestamp: 1795305600, event: 'delivered', sg_event_id: 'e1', sg_message_id: 'm1' },
  { email: 'b@example.com', timestamp: 1795305600, event: 'spamreport', sg_event_id: 'e2', sg_message_id: 'm2' },
];
const mailgunFailed = (timestamp: number) => ({
  event: 'failed',
  severity: 'permanent',
  timestamp,
  id: 'mg_1',
  recipient: 'nobody@example.com',
  'delivery-status': { code: 550, description: 'No such user' },
});

const POSTMARK = { username: 'postmark', password: 's3cret-pa55' };
const MAILGUN_KEY = 'key-reference-server-test';
const RESEND_SECRET = generateSecret();
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** SendGrid sends ECDSA signatures DER-encoded; Web Crypto produces r‖s. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (part: Uint8Array) => {
    let p = part;
    while (p.length > 1 && p[0] === 0) p = p.subarray(1);
    const body = (p[0] as number) & 0x80 ? [0, ...p] : [...p];
    return [0x02, body.length, ...body];
  };
  const sequence = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return new Uint8Array([0x30, sequence.length, ...sequence]);
}

const metricLine = (provider: string, type: string, value: number) =>
  `bulwark_email_events_total{provider="${provider}",type="${type}"} ${value}`;

describe('reference server: email webhooks with `secrets` and bulwark_email_events_total', () => {
  let sendgrid: { publicKey: string; sign(timestamp: string, body: string): Promise<string> };
  beforeAll(async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    sendgrid = {
      publicKey: toBase64(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey))),
      async sign(timestamp, body) {
        const data = new TextEncoder().encode(timestamp + body);
        const raw = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data);
        return toBase64(derSignature(new Uint8Array(raw)));
      },
    };
  });

  function app() {
    return buildTestApp({
      RESEND_WEBHOOK_SECRET: RESEND_SECRET,
      POSTMARK_WEBHOOK_USERNAME: POSTMARK.username,
      POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKey,
      MAILGUN_WEBHOOK_SIGNING_KEY: `old-key ${MAILGUN_KEY}`,
    });
  }

  async function post(request: ReturnType<typeof app>['request'], provider: string, body: string, headers = {}) {
    const response = await request(`/webhooks/email/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, json: await response.json() };
  }

  const metricsText = async (request: ReturnType<typeof app>['request']) =>
    (await request('/metrics', { admin: true })).text();

  it('counts a verified Resend bounce by provider and type', async () => {
    const { request, clock } = app();
    const body = JSON.stringify(resendBounce);
    const signer = createWebhookSigner({ scheme: 'standard', secrets: [RESEND_SECRET] });
    const headers = await signer.sign({ body, id: 'msg_metrics', timestamp: Math.floor(clock.now() / 1000) });
    expect(await post(request, 'resend', body, headers)).toEqual({
      status: 200,
      json: { received: 1, stored: 1, suppressed: 1 },
    });
    expect(await metricsText(request)).toContain(metricLine('resend', 'bounced', 1));
  });

  it('verifies Postmark Basic credentials from `secrets` and counts the complaint', async () => {
    const { request } = app();
    const authorization = `Basic ${btoa(`${POSTMARK.username}:${POSTMARK.password}`)}`;
    const accepted = await post(request, 'postmark', JSON.stringify(postmarkComplaint), { authorization });
    expect(accepted).toMatchObject({ status: 200, json: { received: 1 } });
    const wrong = { authorization: `Basic ${btoa('postmark:wrong')}` };
    expect(await post(request, 'postmark', JSON.stringify(postmarkComplaint), wrong)).toMatchObject({
      status: 401,
      json: { code: 'email_webhook_signature_invalid' },
    });
    expect(await metricsText(request)).toContain(metricLine('postmark', 'complained', 1));
  });

  it('verifies a SendGrid batch with the key from `secrets` and counts each event', async () => {
    const { request } = app();
    const body = JSON.stringify(sendgridBatch);
    const timestamp = '1795305600';
    const headers = {
      [SENDGRID_SIGNATURE_HEADER]: await sendgrid.sign(timestamp, body),
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    };
    expect(await post(request, 'sendgrid', body, headers)).toMatchObject({ status: 200, json: { received: 2 } });
    const text = await metricsText(request);
    expect(text).toContain(metricLine('sendgrid', 'delivered', 1));
    expect(text).toContain(metricLine('sendgrid', 'complained', 1));
  });

  it('verifies Mailgun with the second of two rotating keys from `secrets`', async () => {
    const { request, clock } = app();
    const timestamp = String(Math.floor(clock.now() / 1000));
    const token = 'reference-server-token-0001';
    const body = JSON.stringify({
      signature: { timestamp, token, signature: await mailgunSignature(MAILGUN_KEY, timestamp, token) },
      'event-data': mailgunFailed(Number(timestamp)),
    });
    expect(await post(request, 'mailgun', body)).toMatchObject({ status: 200, json: { received: 1 } });
    expect(await metricsText(request)).toContain(metricLine('mailgun', 'bounced', 1));
  });

  it('counts nothing for a webhook that does not verify', async () => {
    const { request } = app();
    const rejected = await post(request, 'postmark', JSON.stringify(postmarkComplaint), {
      authorization: `Basic ${btoa('postmark:wrong')}`,
    });
    expect(rejected.status).toBe(401);
    expect(await metricsText(request)).not.toContain('bulwark_email_events_total{');
  });
});
