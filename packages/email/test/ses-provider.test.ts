import { createSesProvider } from '@bulwark/email/ses';
import { createTestServer, FakeClock } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { errors, sendOk } from './fixtures/ses-api.js';

const URL = 'https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails';
const server = createTestServer();
const clock = new FakeClock(Date.UTC(2026, 10, 22, 4, 0, 0));
const ses = createSesProvider({
  region: 'eu-west-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  configurationSetName: 'events',
  clock,
});
const message = {
  from: 'Sender <sender@example.com>',
  to: 'recipient@example.com',
  cc: 'cc@example.com',
  bcc: 'bcc@example.com',
  replyTo: 'reply@example.com',
  subject: 'Hello',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: { 'X-Test': '1' },
  attachments: [
    { filename: 'a.txt', content: 'aGk=', contentType: 'text/plain' },
    { filename: 'logo.png', content: 'aGk=', contentId: 'logo' },
  ],
  tags: { campaign: 'welcome week' },
  metadata: { user_id: 'u_42' },
};

describe('createSesProvider', () => {
  it('signs with SigV4 (aws4fetch) and sends the documented SendEmail body', async () => {
    server.use(http.post(URL, () => HttpResponse.json(sendOk)));
    await expect(ses.send(message)).resolves.toMatchObject({ provider: 'ses', messageId: sendOk.MessageId });
    const call = server.calls[0]!;
    expect(call.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261122\/eu-west-1\/ses\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
    );
    expect(call.headers['x-amz-date']).toBe('20261122T040000Z');
    expect(JSON.parse(call.body)).toEqual({
      FromEmailAddress: 'Sender <sender@example.com>',
      Destination: {
        ToAddresses: ['recipient@example.com'],
        CcAddresses: ['cc@example.com'],
        BccAddresses: ['bcc@example.com'],
      },
      ReplyToAddresses: ['reply@example.com'],
      Content: {
        Simple: {
          Subject: { Data: 'Hello', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Hi', Charset: 'UTF-8' }, Html: { Data: '<p>Hi</p>', Charset: 'UTF-8' } },
          Headers: [{ Name: 'X-Test', Value: '1' }],
          Attachments: [
            { RawContent: 'aGk=', FileName: 'a.txt', ContentType: 'text/plain', ContentDisposition: 'ATTACHMENT' },
            { RawContent: 'aGk=', FileName: 'logo.png', ContentDisposition: 'INLINE', ContentId: 'logo' },
          ],
        },
      },
      EmailTags: [
        { Name: 'campaign', Value: 'welcome_week' },
        { Name: 'user_id', Value: 'u_42' },
      ],
      ConfigurationSetName: 'events',
    });
  });

  it.each(errors)('maps %i %s', async (status, type, text, code) => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json(
          { message: text },
          {
            status,
            headers: {
              'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
              'x-amzn-RequestId': 'req-1',
            },
          },
        ),
      ),
    );
    const error = await ses.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code,
      provider: 'ses',
      providerStatus: status,
      providerCode: type,
      requestId: 'req-1',
      detail: `SES refused the message (HTTP ${status}, ${type})`,
    });
    // The provider's text stays in the (log-only) cause, addresses redacted.
    const cause = (error as Error).cause as Error;
    expect(cause.message.startsWith('SES said: ')).toBe(true);
    expect(cause.message).not.toContain('@');
    if (type === 'LimitExceededException') expect(error).toMatchObject({ quota: true });
  });

  it('reads the error type from `__type` and falls back by status', async () => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json({ __type: 'com.amazonaws#MessageRejected', message: 'no' }, { status: 400 }),
      ),
    );
    await expect(ses.send(message)).rejects.toMatchObject({
      code: 'email_invalid_request',
      providerCode: 'MessageRejected',
    });
    server.use(http.post(URL, () => new HttpResponse('<html>denied</html>', { status: 403 })));
    await expect(ses.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
    server.use(http.post(URL, () => new HttpResponse('busy', { status: 429 })));
    await expect(ses.send(message)).rejects.toMatchObject({ code: 'email_rate_limited' });
    server.use(http.post(URL, () => new HttpResponse('down', { status: 502 })));
    await expect(ses.send(message)).rejects.toMatchObject({ code: 'email_provider_unavailable' });
    server.use(http.post(URL, () => HttpResponse.json({})));
    await expect(ses.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
  });

  it('validates credentials and the 50-recipient limit', async () => {
    expect(() => createSesProvider({ region: '', accessKeyId: 'a', secretAccessKey: 'b' })).toThrow(
      expect.objectContaining({ variable: 'region' }),
    );
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`);
    await expect(ses.send({ ...message, to, cc: undefined, bcc: undefined })).rejects.toMatchObject({
      code: 'email_invalid_request',
    });
    const withToken = createSesProvider({
      region: 'eu-west-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      sessionToken: 't',
      clock,
    });
    server.use(http.post(URL, () => HttpResponse.json(sendOk)));
    await withToken.send(message);
    expect(server.calls[0]!.headers['x-amz-security-token']).toBe('t');
  });
});
