import { createMailgunProvider } from '@bulwark/email/mailgun';
import { createTestServer } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { errors, sendOk } from './fixtures/mailgun-api.js';

const URL = 'https://api.mailgun.net/v3/mg.example.com/messages';
const server = createTestServer();
const mailgun = createMailgunProvider({ apiKey: 'key-test', domain: 'mg.example.com' });
const message = {
  from: 'Excited User <mailgun@mg.example.com>',
  to: ['a@example.com', 'b@example.com'],
  cc: 'c@example.com',
  bcc: 'd@example.com',
  replyTo: 'reply@example.com',
  subject: 'Hello',
  text: 'Testing some Mailgun awesomeness!',
  html: '<p>Testing</p>',
  headers: { 'X-Test': '1' },
  attachments: [
    { filename: 'a.txt', content: 'aGk=', contentType: 'text/plain' },
    { filename: 'logo.png', content: 'aGk=', contentId: 'logo.png' },
  ],
  tags: { campaign: 'welcome' },
  metadata: { user_id: 'u_42' },
};

describe('createMailgunProvider', () => {
  it('posts multipart form data with Basic api:key and strips the id brackets', async () => {
    let form: FormData | undefined;
    server.use(
      http.post(URL, async ({ request }) => {
        form = await request.formData();
        return HttpResponse.json(sendOk);
      }),
    );
    await expect(mailgun.send(message)).resolves.toMatchObject({
      provider: 'mailgun',
      messageId: '20111114174239.25659.5817@samples.mailgun.org',
    });
    expect(server.calls[0]!.headers.authorization).toBe(`Basic ${btoa('api:key-test')}`);
    expect(form!.getAll('to')).toEqual(['a@example.com', 'b@example.com']);
    expect(form!.get('h:Reply-To')).toBe('reply@example.com');
    expect(form!.get('h:X-Test')).toBe('1');
    expect(form!.getAll('o:tag')).toEqual(['welcome']);
    expect(form!.get('v:user_id')).toBe('u_42');
    expect((form!.get('attachment') as File).name).toBe('a.txt');
    expect((form!.get('inline') as File).name).toBe('logo.png');
  });

  it('uses the EU endpoint when asked', async () => {
    const eu = createMailgunProvider({ apiKey: 'k', domain: 'mg.example.com', region: 'eu' });
    server.use(http.post('https://api.eu.mailgun.net/v3/mg.example.com/messages', () => HttpResponse.json(sendOk)));
    await expect(eu.send(message)).resolves.toMatchObject({ provider: 'mailgun' });
  });

  it.each(errors)('maps %i %o', async (status, body, code) => {
    server.use(
      http.post(URL, () =>
        typeof body === 'string' ? new HttpResponse(body, { status }) : HttpResponse.json(body, { status }),
      ),
    );
    await expect(mailgun.send(message)).rejects.toMatchObject({ code, provider: 'mailgun', providerStatus: status });
  });

  it('maps an HTML 403 page to email_unknown and a 200 without id to email_unknown', async () => {
    server.use(http.post(URL, () => new HttpResponse('<html>blocked</html>', { status: 403 })));
    await expect(mailgun.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
    server.use(http.post(URL, () => HttpResponse.json({ message: 'Queued' })));
    await expect(mailgun.send(message)).rejects.toMatchObject({ code: 'email_unknown' });
    expect(() => createMailgunProvider({ apiKey: 'k', domain: '' })).toThrow(
      expect.objectContaining({ variable: 'domain' }),
    );
  });
});
