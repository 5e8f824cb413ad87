import { createResendProvider } from '@bulwark/email/resend';
import { createTestServer, FakeClock } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { batchOk, errors, sendOk } from './fixtures/resend-api.js';

const URL = 'https://api.resend.com/emails';
const server = createTestServer();
const clock = new FakeClock(Date.UTC(2026, 10, 22, 4, 0, 0));
const resend = createResendProvider({ apiKey: 're_test', clock });
const message = {
  from: 'Acme <onboarding@resend.dev>',
  to: ['delivered@resend.dev'],
  subject: 'hello world',
  html: '<p>it works!</p>',
  text: 'it works!',
  replyTo: 'support@acme.test',
  headers: { 'X-Entity-Ref-ID': '123' },
  attachments: [{ filename: 'a.txt', content: new TextEncoder().encode('hi'), contentType: 'text/plain' }],
  tags: { category: 'confirm_email' },
  metadata: { user_id: 'u_42' },
  idempotencyKey: 'welcome-user/123456789',
};

describe('createResendProvider', () => {
  it('sends with the documented body, bearer key and Idempotency-Key', async () => {
    server.use(http.post(URL, () => HttpResponse.json(sendOk)));
    const result = await resend.send(message);
    expect(result).toEqual({ provider: 'resend', messageId: sendOk.id, acceptedAt: new Date(clock.now()) });
    const call = server.calls[0]!;
    expect(call.headers.authorization).toBe('Bearer re_test');
    expect(call.headers['idempotency-key']).toBe('welcome-user/123456789');
    expect(JSON.parse(call.body)).toEqual({
      from: 'Acme <onboarding@resend.dev>',
      to: ['delivered@resend.dev'],
      reply_to: ['support@acme.test'],
      subject: 'hello world',
      html: '<p>it works!</p>',
      text: 'it works!',
      headers: { 'X-Entity-Ref-ID': '123' },
      attachments: [{ filename: 'a.txt', content: 'aGk=', content_type: 'text/plain' }],
      tags: [
        { name: 'category', value: 'confirm_email' },
        { name: 'user_id', value: 'u_42' },
      ],
    });
  });

  it.each(errors)('maps %i %o to its taxonomy code', async (status, body, code) => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json(body, { status, headers: { 'retry-after': '2', 'ratelimit-reset': '5' } }),
      ),
    );
    const error = await resend.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'EmailError',
      code,
      provider: 'resend',
      providerStatus: status,
      providerCode: body.name,
    });
    if (code === 'email_rate_limited') {
      expect(error).toMatchObject({ retryable: true, retryAfterMs: 2000, quota: body.name !== 'rate_limit_exceeded' });
    }
  });

  it('turns an HTML 403 from a firewall into email_unknown', async () => {
    server.use(
      http.post(
        URL,
        () =>
          new HttpResponse('<html><body>Access denied</body></html>', {
            status: 403,
            headers: { 'content-type': 'text/html' },
          }),
      ),
    );
    await expect(resend.send(message)).rejects.toMatchObject({ code: 'email_unknown', providerStatus: 403 });
    server.use(http.post(URL, () => new HttpResponse('Bad gateway', { status: 502 })));
    await expect(resend.send(message)).rejects.toMatchObject({ code: 'email_provider_unavailable' });
  });

  it('sends batches of up to 100 through /emails/batch; attachments go one by one', async () => {
    server.use(
      http.post(`${URL}/batch`, () => HttpResponse.json(batchOk)),
      http.post(URL, () => HttpResponse.json(sendOk)),
    );
    const plain = { ...message, attachments: undefined, idempotencyKey: undefined };
    const results = await resend.sendBatch([plain, message, plain, { ...plain, to: 'nope' }]);
    expect(results.map((r) => (r.ok ? r.result.messageId : r.error.code))).toEqual([
      batchOk.data[0]!.id,
      sendOk.id,
      batchOk.data[1]!.id,
      'email_invalid_request',
    ]);
    expect(server.calls.map((c) => new globalThis.URL(c.url).pathname)).toEqual(['/emails/batch', '/emails']);
    expect(JSON.parse(server.calls[0]!.body)).toHaveLength(2);
  });

  it('reports a failed batch call on every item', async () => {
    server.use(http.post(`${URL}/batch`, () => HttpResponse.json(errors[1]![1], { status: 400 })));
    const plain = { ...message, attachments: undefined, idempotencyKey: undefined };
    const results = await resend.sendBatch([plain, plain]);
    expect(results.every((r) => !r.ok && r.error.code === 'email_invalid_request')).toBe(true);
  });

  it('rejects a 200 without an id as email_unknown', async () => {
    server.use(http.post(URL, () => HttpResponse.json({})));
    await expect(resend.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
  });

  it('refuses more than 50 recipients before calling Resend', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`);
    await expect(resend.send({ ...message, to })).rejects.toMatchObject({ code: 'email_invalid_request' });
    expect(server.calls).toHaveLength(0);
    expect(() => createResendProvider({ apiKey: '' })).toThrow(expect.objectContaining({ variable: 'apiKey' }));
  });
});
