import { mailgunSignature, parseMailgunWebhook } from '@bulwark/email/mailgun';
import { parsePostmarkWebhook } from '@bulwark/email/postmark';
import { createSendGridProvider, parseSendGridWebhook } from '@bulwark/email/sendgrid';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSuite } from '../suite.js';

const encoder = new TextEncoder();
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A SendGrid-style batch of 10 delivered events. */
const sendgridBody = JSON.stringify(
  Array.from({ length: 10 }, (_, i) => ({
    email: `user${i}@example.com`,
    timestamp: 1513299569,
    event: 'delivered',
    sg_event_id: `evt_${i}`,
    sg_message_id: `msg_${i}.filter0001`,
  })),
);

function derSignature(raw: Uint8Array): Uint8Array {
  const int = (part: Uint8Array) => {
    let p = part;
    while (p.length > 1 && p[0] === 0) p = p.subarray(1);
    const body = (p[0] as number) & 0x80 ? [0, ...p] : [...p];
    return [0x02, body.length, ...body];
  };
  const seq = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
  return new Uint8Array([0x30, seq.length, ...seq]);
}

/** Simulated provider round trip for the batch case: long enough to dominate, short enough to sample. */
const LATENCY_MS = 2;
const BATCH_SIZE = 16;
const BATCH_ROUNDS = 3;
const BATCH_CASE = `SendGrid: sendBatch ${BATCH_SIZE} messages, ${LATENCY_MS} ms per request`;

function batchSummary(results: readonly BenchResult[]): string[] {
  const ratio = (subject: string) =>
    spread(perRound(results, BATCH_CASE, (ops) => ops(subject) / ops(`${BATCH_SIZE} raw`)));
  return [
    `sendBatch ÷ ${BATCH_SIZE} raw parallel fetches (${BATCH_ROUNDS} interleaved rounds):`,
    `  default concurrency   ${ratio('@bulwark/email sendBatch (default')} (goal ≥ 0.80)`,
    `  batchConcurrency: 1   ${ratio('@bulwark/email sendBatch (batchConcurrency: 1)')}`,
  ];
}

/** A fetch that reads the request body, then answers SendGrid's 202 after `LATENCY_MS`. */
async function slowSendGridFetch(input: string | URL | Request): Promise<Response> {
  if (input instanceof Request) await input.arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
  return new Response(null, { status: 202, headers: { 'x-message-id': 'bench' } });
}

/** What a caller writes to send one message to SendGrid with raw fetch (no validation, no mapping). */
function rawSendGridRequest(m: (typeof batchMessages)[number]): Request {
  return new Request('https://api.sendgrid.com/v3/mail/send', {
    method: 'POST',
    headers: { authorization: 'Bearer SG.bench', 'content-type': 'application/json' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: m.to }] }],
      from: { email: m.from },
      subject: m.subject,
      content: [{ type: 'text/plain', value: m.text }],
    }),
  });
}

const batchMessages = Array.from({ length: BATCH_SIZE }, (_, i) => ({
  from: 'hello@acme.test',
  to: `user${i}@example.com`,
  subject: 'Welcome',
  text: 'Hi',
}));

const postmarkDelivery = JSON.stringify({
  RecordType: 'Delivery',
  MessageID: '00000000-0000-0000-0000-000000000000',
  Recipient: 'john@example.com',
  DeliveredAt: '2019-11-05T16:33:54.9070259Z',
  Metadata: { a_key: 'a_value' },
});

/** Webhook verification + normalization cost, against the bare Web Crypto check (the floor). */
export const suite: BenchSuite = {
  summary: batchSummary,
  name: 'email',
  description: 'parseEmailWebhook verification + normalization versus the raw Web Crypto verification (the floor)',
  cases: async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const publicKey = toBase64(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
    const timestamp = '1513299600';
    const signed = encoder.encode(timestamp + sendgridBody);
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, signed));
    const headers = {
      'x-twilio-email-event-webhook-signature': toBase64(derSignature(raw)),
      'x-twilio-email-event-webhook-timestamp': timestamp,
    };

    const signingKey = 'key-bench';
    const now = Math.floor(Date.now() / 1000).toString();
    const token = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0';
    const signature = await mailgunSignature(signingKey, now, token);
    const mailgunBody = JSON.stringify({
      signature: { timestamp: now, token, signature },
      'event-data': { event: 'delivered', timestamp: Number(now), id: 'e1', recipient: 'a@example.com' },
    });
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      encoder.encode(signingKey),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const acceptAll = { claim: () => true };

    const credentials = { username: 'postmark', password: 's3cret-pa55' };
    const postmarkRequest = {
      headers: { authorization: `Basic ${btoa('postmark:s3cret-pa55')}` },
      rawBody: postmarkDelivery,
      remoteAddress: '50.31.156.6',
    };
    const postmarkIps = ['3.134.147.250', '50.31.156.6', '50.31.156.77', '18.217.206.57'];

    const sendgrid = createSendGridProvider({ apiKey: 'SG.bench', fetch: slowSendGridFetch });
    const sendgridSequential = createSendGridProvider({
      apiKey: 'SG.bench',
      fetch: slowSendGridFetch,
      batchConcurrency: 1,
    });

    return [
      {
        name: 'SendGrid: verify + normalize 10 events',
        subjects: [
          {
            name: 'crypto.subtle.verify ECDSA (floor)',
            floor: true,
            fn: () => crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, raw, signed),
          },
          {
            name: '@bulwark/email parseSendGridWebhook',
            fn: () => parseSendGridWebhook({ headers, rawBody: sendgridBody }, { secrets: publicKey }),
          },
        ],
      },
      {
        name: 'Mailgun: verify + normalize 1 event',
        subjects: [
          {
            name: 'crypto.subtle HMAC sign (floor)',
            floor: true,
            fn: () => crypto.subtle.sign('HMAC', hmacKey, encoder.encode(now + token)),
          },
          {
            name: '@bulwark/email parseMailgunWebhook',
            fn: () =>
              parseMailgunWebhook(
                { headers: {}, rawBody: mailgunBody },
                { secrets: signingKey, replayStore: acceptAll },
              ),
          },
        ],
      },
      {
        name: 'Postmark: Basic credentials + IP allowlist + normalize 1 event',
        subjects: [
          {
            name: 'crypto.subtle SHA-256 x2 (floor)',
            floor: true,
            fn: () =>
              Promise.all([
                crypto.subtle.digest('SHA-256', encoder.encode('postmark:s3cret-pa55')),
                crypto.subtle.digest('SHA-256', encoder.encode('postmark:s3cret-pa55')),
              ]),
          },
          {
            name: '@bulwark/email parsePostmarkWebhook (4 exact IPs)',
            fn: () => parsePostmarkWebhook(postmarkRequest, { secrets: credentials, allowedIps: postmarkIps }),
          },
        ],
      },
      ...Array.from({ length: BATCH_ROUNDS }, (_, r) => r + 1).map(
        (round): BenchCase => ({
          name: roundName(BATCH_CASE, round, BATCH_ROUNDS),
          subjects: [
            {
              name: `${BATCH_SIZE} raw fetches in parallel (floor)`,
              floor: true,
              // The same request a caller would send with raw fetch: POST, bearer key, JSON body.
              fn: () => Promise.all(batchMessages.map((m) => slowSendGridFetch(rawSendGridRequest(m)))),
            },
            {
              name: '@bulwark/email sendBatch (default concurrency)',
              fn: () => sendgrid.sendBatch(batchMessages),
            },
            {
              name: '@bulwark/email sendBatch (batchConcurrency: 1)',
              fn: () => sendgridSequential.sendBatch(batchMessages),
            },
          ],
        }),
      ),
    ];
  },
};
