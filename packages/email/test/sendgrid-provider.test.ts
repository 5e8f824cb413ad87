import { createSendGridProvider } from '@bulwark/email/sendgrid';
import { createTestServer, FakeClock } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { errors, messageId } from './fixtures/sendgrid-api.js';

const URL = 'https://api.sendgrid.com/v3/mail/send';
const server = createTestServer();
const clock = new FakeClock(1_700_000_000_000);
const sendgrid = createSendGridProvider({ apiKey: 'SG.test', clock });
const message = {
  from: { email: 'from@example.com', name: 'Example' },
  to: 'to@example.com',
  cc: 'cc@example.com',
  bcc: 'bcc@example.com',
  replyTo: ['r1@example.com', 'r2@example.com'],
  subject: 'Hello, World!',
  html: '<p>Hello</p>',
  text: 'Hello',
  headers: { 'X-Test': '1' },
  attachments: [
    { filename: 'a.txt', content: 'aGk=' },
    { filename: 'logo.png', content: 'aGk=', contentType: 'image/png', contentId: 'logo' },
  ],
  tags: { campaign: 'welcome' },
  metadata: { user_id: 'u_42' },
};

describe('createSendGridProvider', () => {
  it('sends the documented body and reads X-Message-Id', async () => {
    server.use(http.post(URL, () => new HttpResponse(null, { status: 202, headers: { 'x-message-id': messageId } })));
    await expect(sendgrid.send(message)).resolves.toEqual({
      provider: 'sendgrid',
      messageId,
      acceptedAt: new Date(1_700_000_000_000),
    });
    expect(server.calls[0]!.headers.authorization).toBe('Bearer SG.test');
    expect(JSON.parse(server.calls[0]!.body)).toEqual({
      personalizations: [
        { to: [{ email: 'to@example.com' }], cc: [{ email: 'cc@example.com' }], bcc: [{ email: 'bcc@example.com' }] },
      ],
      from: { email: 'from@example.com', name: 'Example' },
      reply_to_list: [{ email: 'r1@example.com' }, { email: 'r2@example.com' }],
      subject: 'Hello, World!',
      content: [
        { type: 'text/plain', value: 'Hello' },
        { type: 'text/html', value: '<p>Hello</p>' },
      ],
      headers: { 'X-Test': '1' },
      attachments: [
        { content: 'aGk=', filename: 'a.txt', disposition: 'attachment' },
        { content: 'aGk=', filename: 'logo.png', type: 'image/png', disposition: 'inline', content_id: 'logo' },
      ],
      categories: ['welcome'],
      custom_args: { campaign: 'welcome', user_id: 'u_42' },
    });
  });

  it('sends a single reply_to object', async () => {
    server.use(http.post(URL, () => new HttpResponse(null, { status: 202, headers: { 'x-message-id': messageId } })));
    await sendgrid.send({
      ...message,
      replyTo: 'r@example.com',
      attachments: undefined,
      tags: undefined,
      metadata: undefined,
    });
    const body = JSON.parse(server.calls[0]!.body);
    expect(body.reply_to).toEqual({ email: 'r@example.com' });
    expect(body.custom_args).toBeUndefined();
  });

  it.each(errors)('maps %i %o', async (status, body, code) => {
    const reset = String(1_700_000_000 + 30);
    server.use(http.post(URL, () => HttpResponse.json(body, { status, headers: { 'x-ratelimit-reset': reset } })));
    const error = await sendgrid.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({ code, provider: 'sendgrid', providerStatus: status });
    if (status === 429) expect(error).toMatchObject({ retryAfterMs: 30_000, quota: false });
    // Spent credits (401) are the quota variant: retrying the same account soon cannot help.
    if (status === 401 && code === 'email_rate_limited') expect(error).toMatchObject({ quota: true, retryable: true });
  });

  it('maps an HTML 403 from a firewall to email_unknown and a 202 without id to email_unknown', async () => {
    server.use(
      http.post(
        URL,
        () => new HttpResponse('<html>Forbidden</html>', { status: 403, headers: { 'content-type': 'text/html' } }),
      ),
    );
    await expect(sendgrid.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
    server.use(http.post(URL, () => new HttpResponse(null, { status: 202 })));
    await expect(sendgrid.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
  });

  it('has no batch API: batches go one by one with per-item results', async () => {
    let n = 0;
    server.use(
      http.post(URL, () => {
        n += 1;
        return n === 2
          ? HttpResponse.json(errors[0]![1], { status: 400 })
          : new HttpResponse(null, { status: 202, headers: { 'x-message-id': `m${n}` } });
      }),
    );
    const results = await sendgrid.sendBatch([message, message, message]);
    expect(results.map((r) => (r.ok ? r.result.messageId : r.error.code))).toEqual([
      'm1',
      'email_invalid_request',
      'm3',
    ]);
    expect(sendgrid.batchLimit).toBe(1);
    expect(() => createSendGridProvider({ apiKey: '' })).toThrow(expect.objectContaining({ variable: 'apiKey' }));
  });
});
