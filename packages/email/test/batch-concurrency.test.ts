import { createMailgunProvider } from '@bulwark/email/mailgun';
import { createResendProvider } from '@bulwark/email/resend';
import { createSendGridProvider } from '@bulwark/email/sendgrid';
import { createSesProvider } from '@bulwark/email/ses';
import { createTestServer } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { EmailProvider } from '../src/index.js';
import { errors } from './fixtures/sendgrid-api.js';
import { createRequestGate } from './helpers/held-requests.js';
import { numberedMessages } from './helpers/numbered-messages.js';

const SENDGRID = 'https://api.sendgrid.com/v3/mail/send';
const SES = 'https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails';
const MAILGUN = 'https://api.mailgun.net/v3/mg.example.com/messages';
const RESEND = 'https://api.resend.com/emails';
const server = createTestServer();

/** The item index a request carries in its subject, whatever the provider's body format. */
async function indexOf(request: Request): Promise<number> {
  const body = await request.clone().text();
  return Number(/Message (\d+)/.exec(body)?.[1]);
}

/** Answers every provider request after its wave is released, with an id naming the item. */
function heldHandlers(gate: ReturnType<typeof createRequestGate>, failIndex?: number) {
  const held =
    (answer: (index: number) => Response) =>
    async ({ request }: { request: Request }) => {
      const index = await indexOf(request);
      await gate.hold(index);
      if (index === failIndex) return HttpResponse.json(errors[0]![1], { status: 400 });
      return answer(index);
    };
  return [
    http.post(
      SENDGRID,
      held((i) => new HttpResponse(null, { status: 202, headers: { 'x-message-id': `id-${i}` } })),
    ),
    http.post(
      SES,
      held((i) => HttpResponse.json({ MessageId: `id-${i}` })),
    ),
    http.post(
      MAILGUN,
      held((i) => HttpResponse.json({ id: `<id-${i}>`, message: 'Queued. Thank you.' })),
    ),
  ];
}

const ids = (results: Awaited<ReturnType<EmailProvider['sendBatch']>>) =>
  results.map((r) => (r.ok ? r.result.messageId : r.error.code));

const sendgrid = (batchConcurrency?: number) =>
  createSendGridProvider({ apiKey: 'SG.test', ...(batchConcurrency ? { batchConcurrency } : {}) });

describe('sendBatch on providers without a batch API', () => {
  it.each([
    ['sendgrid', () => sendgrid(), 16],
    ['ses', () => createSesProvider({ region: 'eu-west-1', accessKeyId: 'AKID', secretAccessKey: 'secret' }), 4],
    ['mailgun', () => createMailgunProvider({ apiKey: 'key-test', domain: 'mg.example.com' }), 4],
  ] as const)('%s keeps its default in flight (%#) and reports items in input order', async (_, make, inFlight) => {
    const total = inFlight + 6;
    const gate = createRequestGate(inFlight, total);
    server.use(...heldHandlers(gate));
    const results = await make().sendBatch(numberedMessages(total));
    expect(ids(results)).toEqual(Array.from({ length: total }, (__, i) => `id-${i}`));
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: total }, (__, i) => i));
    expect(gate.maxInFlight).toBe(inFlight);
  });

  it('honours batchConcurrency, answered out of order', async () => {
    const gate = createRequestGate(3, 7);
    server.use(...heldHandlers(gate));
    const results = await sendgrid(3).sendBatch(numberedMessages(7));
    expect(gate.maxInFlight).toBe(3);
    expect(gate.arrivals.slice(0, 3).sort()).toEqual([0, 1, 2]);
    expect(ids(results)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
  });

  it('sends one at a time with batchConcurrency 1', async () => {
    const gate = createRequestGate(1, 3);
    server.use(...heldHandlers(gate));
    const results = await sendgrid(1).sendBatch(numberedMessages(3));
    expect(gate.maxInFlight).toBe(1);
    expect(gate.arrivals).toEqual([0, 1, 2]);
    expect(ids(results)).toEqual(['id-0', 'id-1', 'id-2']);
  });

  it('reports a failed item in place and still sends the rest', async () => {
    const gate = createRequestGate(2, 5);
    server.use(...heldHandlers(gate, 3));
    const batch = [...numberedMessages(5)];
    batch.splice(1, 0, { ...batch[0]!, to: 'not an address' });
    const results = await sendgrid(2).sendBatch(batch);
    expect(ids(results)).toEqual(['id-0', 'email_invalid_request', 'id-1', 'id-2', 'email_invalid_request', 'id-4']);
    expect(server.calls).toHaveLength(5);
  });

  it('rejects with the abort reason and starts nothing after an abort', async () => {
    const gate = createRequestGate(99, 99);
    const controller = new AbortController();
    const reason = new Error('shutdown');
    server.use(
      http.post(SENDGRID, async ({ request }) => {
        const index = await indexOf(request);
        if (index === 1) controller.abort(reason);
        await gate.hold(index);
        return new HttpResponse(null, { status: 202, headers: { 'x-message-id': `id-${index}` } });
      }),
    );
    await expect(sendgrid(2).sendBatch(numberedMessages(6), { signal: controller.signal })).rejects.toBe(reason);
    expect(server.calls).toHaveLength(2);
    gate.releaseAll();
  });

  it('validates batchConcurrency once, naming it', () => {
    for (const batchConcurrency of [0, 1.5, -1, Number.NaN]) {
      expect(() => createSendGridProvider({ apiKey: 'SG.test', batchConcurrency })).toThrow(/batchConcurrency/);
    }
  });
});

describe('sendBatch on Resend', () => {
  it('sends batch calls one at a time by default (2 requests/s limit)', async () => {
    const gate = createRequestGate(1, 2);
    server.use(
      http.post(`${RESEND}/batch`, async ({ request }) => {
        const body = (await request.clone().json()) as unknown[];
        await gate.hold(server.calls.length);
        return HttpResponse.json({ data: body.map((_, i) => ({ id: `b${i}` })) });
      }),
    );
    const resend = createResendProvider({ apiKey: 're_test' });
    const results = await resend.sendBatch(numberedMessages(150));
    expect(results.filter((r) => r.ok)).toHaveLength(150);
    expect(gate.maxInFlight).toBe(1);
  });

  it('sends a message with an idempotency key on its own, keeping the key', async () => {
    server.use(
      http.post(`${RESEND}/batch`, () => HttpResponse.json({ data: [{ id: 'b0' }, { id: 'b1' }] })),
      http.post(RESEND, () => HttpResponse.json({ id: 'single' })),
    );
    const batch = numberedMessages(3);
    batch[1] = { ...batch[1]!, idempotencyKey: 'order-42' };
    const results = await createResendProvider({ apiKey: 're_test' }).sendBatch(batch);
    expect(ids(results)).toEqual(['b0', 'single', 'b1']);
    const single = server.calls.find((c) => c.url === RESEND);
    expect(single?.headers['idempotency-key']).toBe('order-42');
  });
});
