import { createPostmarkProvider } from '@bulwark/email/postmark';
import { createTestServer } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { batchMixed, errors, sendOk } from './fixtures/postmark-api.js';

const URL = 'https://api.postmarkapp.com/email';
const server = createTestServer();
const postmark = createPostmarkProvider({ serverToken: 'server-token' });
const message = {
  from: 'sender@example.com',
  to: ['receiver@example.com', 'Two <two@example.com>'],
  cc: 'copied@example.com',
  bcc: 'blind@example.com',
  replyTo: 'reply@example.com',
  subject: 'Test',
  html: '<b>Hello</b>',
  text: 'Hello',
  headers: { CUSTOM: 'value' },
  attachments: [{ filename: 'readme.txt', content: 'dGVzdCBjb250ZW50', contentType: 'text/plain' }],
  tags: { campaign: 'welcome' },
  metadata: { color: 'blue' },
};

describe('createPostmarkProvider', () => {
  it('sends the documented body with the server token', async () => {
    server.use(http.post(URL, () => HttpResponse.json(sendOk)));
    await expect(postmark.send(message)).resolves.toMatchObject({ messageId: sendOk.MessageID, provider: 'postmark' });
    const call = server.calls[0]!;
    expect(call.headers['x-postmark-server-token']).toBe('server-token');
    expect(JSON.parse(call.body)).toEqual({
      From: 'sender@example.com',
      To: 'receiver@example.com, Two <two@example.com>',
      Cc: 'copied@example.com',
      Bcc: 'blind@example.com',
      ReplyTo: 'reply@example.com',
      Subject: 'Test',
      HtmlBody: '<b>Hello</b>',
      TextBody: 'Hello',
      Headers: [{ Name: 'CUSTOM', Value: 'value' }],
      Attachments: [{ Name: 'readme.txt', Content: 'dGVzdCBjb250ZW50', ContentType: 'text/plain' }],
      Tag: 'welcome',
      Metadata: { campaign: 'welcome', color: 'blue' },
      MessageStream: 'outbound',
    });
  });

  it.each(errors)('maps HTTP %i ErrorCode %o', async (status, body, code) => {
    server.use(http.post(URL, () => HttpResponse.json(body, { status, headers: { 'retry-after': '1' } })));
    const error = await postmark.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code,
      provider: 'postmark',
      providerStatus: status,
      providerCode: String(body.ErrorCode),
    });
  });

  it('maps ErrorCode 405 (out of credits) to the quota variant of email_rate_limited, in sends and batches', async () => {
    const outOfCredits = errors.find(([, body]) => body.ErrorCode === 405)![1];
    server.use(http.post(URL, () => HttpResponse.json(outOfCredits, { status: 422 })));
    await expect(postmark.send(message)).rejects.toMatchObject({
      code: 'email_rate_limited',
      quota: true,
      retryable: true,
      providerCode: '405',
    });
    server.use(http.post(`${URL}/batch`, () => HttpResponse.json([outOfCredits, outOfCredits])));
    const results = await postmark.sendBatch([message, message]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'email_rate_limited', quota: true } });
  });

  it('maps bodies without an ErrorCode by status', async () => {
    server.use(http.post(URL, () => new HttpResponse('slow down', { status: 429, headers: { 'retry-after': '7' } })));
    await expect(postmark.send(message)).rejects.toMatchObject({ code: 'email_rate_limited', retryAfterMs: 7000 });
    server.use(http.post(URL, () => new HttpResponse('<html>oops</html>', { status: 500 })));
    await expect(postmark.send(message)).rejects.toMatchObject({ code: 'email_provider_unavailable' });
    server.use(http.post(URL, () => new HttpResponse('<html>denied</html>', { status: 403 })));
    await expect(postmark.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
    server.use(http.post(URL, () => HttpResponse.json({ ErrorCode: 0 })));
    await expect(postmark.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
  });

  it('reports per-message results of a 200 batch answer (406 suppressed in the middle)', async () => {
    server.use(http.post(`${URL}/batch`, () => HttpResponse.json(batchMixed)));
    const results = await postmark.sendBatch([message, { ...message, to: 'receiver2@example.com' }, message]);
    expect(results[0]).toMatchObject({ ok: true, result: { messageId: batchMixed[0]!.MessageID } });
    expect(results[1]).toMatchObject({
      ok: false,
      error: { code: 'email_suppressed', providerCode: '406', providerStatus: 200 },
    });
    expect(results[2]).toMatchObject({ ok: true, result: { messageId: batchMixed[2]!.MessageID } });
    expect(JSON.parse(server.calls[0]!.body)).toHaveLength(3);
  });

  it('splits batches at 500 messages and reports short or failed answers per item', async () => {
    let calls = 0;
    server.use(
      http.post(`${URL}/batch`, async ({ request }) => {
        calls += 1;
        const items = (await request.json()) as unknown[];
        // Chunks may be in flight together: pick the answer by chunk, not by arrival order.
        if (items.length === 2) return HttpResponse.json({ ErrorCode: 10, Message: 'bad token' }, { status: 401 });
        return HttpResponse.json(items.slice(1).map(() => ({ ErrorCode: 0, MessageID: 'm' })));
      }),
    );
    const results = await postmark.sendBatch(Array.from({ length: 502 }, () => message));
    expect(calls).toBe(2);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[499]).toMatchObject({ ok: false, error: { code: 'email_unknown' } });
    expect(results[500]).toMatchObject({ ok: false, error: { code: 'email_auth_failed' } });
    server.use(http.post(`${URL}/batch`, () => HttpResponse.json({ not: 'an array' })));
    const odd = await postmark.sendBatch([message, message]);
    expect(odd[0]).toMatchObject({ ok: false, error: { code: 'email_unknown' } });
  });

  it('checks options and limits', async () => {
    expect(() => createPostmarkProvider({ serverToken: '' })).toThrow(
      expect.objectContaining({ variable: 'serverToken' }),
    );
    const big = 'A'.repeat(14 * 1024 * 1024);
    await expect(postmark.send({ ...message, attachments: [{ filename: 'big', content: big }] })).rejects.toMatchObject(
      {
        code: 'email_invalid_request',
      },
    );
  });
});
