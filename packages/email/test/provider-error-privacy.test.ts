import { createMailgunProvider } from '@bulwark/email/mailgun';
import { createPostmarkProvider } from '@bulwark/email/postmark';
import { createResendProvider } from '@bulwark/email/resend';
import { createSendGridProvider } from '@bulwark/email/sendgrid';
import { createSesProvider } from '@bulwark/email/ses';
import { toProblem } from '@bulwark/errors';
import { createTestServer, FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { type EmailError, type EmailProvider, isEmailError } from '../src/index.js';

const server = createTestServer();
const clock = new FakeClock(Date.UTC(2026, 10, 22));
const common = { clock, timers: clock };
const RECIPIENT = 'jane.doe+vip@example.com';

/** Each provider, its send URL and its documented error body quoting a recipient. */
const cases: Array<[string, EmailProvider, string, (text: string) => Response]> = [
  [
    'resend',
    createResendProvider({ apiKey: 're_test', ...common }),
    'https://api.resend.com/emails',
    (text) => HttpResponse.json({ statusCode: 422, name: 'validation_error', message: text }, { status: 422 }),
  ],
  [
    'postmark',
    createPostmarkProvider({ serverToken: 'pm', ...common }),
    'https://api.postmarkapp.com/email',
    (text) => HttpResponse.json({ ErrorCode: 300, Message: text }, { status: 422 }),
  ],
  [
    'sendgrid',
    createSendGridProvider({ apiKey: 'SG.test', ...common }),
    'https://api.sendgrid.com/v3/mail/send',
    (text) =>
      HttpResponse.json({ errors: [{ message: text, field: 'personalizations.0.to.0.email' }] }, { status: 400 }),
  ],
  [
    'ses',
    createSesProvider({ region: 'eu-west-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', ...common }),
    'https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails',
    (text) => HttpResponse.json({ message: text }, { status: 400, headers: { 'x-amzn-ErrorType': 'MessageRejected' } }),
  ],
  [
    'mailgun',
    createMailgunProvider({ apiKey: 'key', domain: 'mg.example.com', ...common }),
    'https://api.mailgun.net/v3/mg.example.com/messages',
    (text) => HttpResponse.json({ message: text }, { status: 400 }),
  ],
];

const message = { from: 'Sender <sender@example.com>', to: RECIPIENT, subject: 'Hi', text: 'Hello' };

/** Everything a host may hand to a client or write in a problem response. */
function clientFacing(error: EmailError): string {
  return JSON.stringify([error.detail, error.message, error.toJSON(), toProblem(error)]);
}

describe('provider error text never reaches client-facing fields', () => {
  it.each(cases)(
    '%s: the recipient quoted by the provider is only in the redacted cause',
    async (_, provider, url, answer) => {
      server.use(http.post(url, () => answer(`Invalid 'To' address: '${RECIPIENT}' (key re_abcdefghijklmnop1234)`)));
      const error = await provider.send(message).catch((e: unknown) => e);
      expect(isEmailError(error)).toBe(true);
      const text = clientFacing(error as EmailError);
      expect(text).not.toContain('@');
      expect(text).not.toContain('jane.doe');
      const cause = String(((error as Error).cause as Error | undefined)?.message);
      expect(cause).toContain('[email]');
      expect(cause).not.toContain(RECIPIENT);
      expect(cause).not.toContain('re_abcdefghijklmnop1234');
    },
  );

  it('holds for any address and text a provider puts in its message (property)', async () => {
    const [, provider, url, answer] = cases[0]!;
    await fc.assert(
      fc.asyncProperty(fc.emailAddress(), fc.string({ maxLength: 80 }), async (address, noise) => {
        server.use(http.post(url, () => answer(`${noise} <${address}> ${noise}`)));
        const error = (await provider.send(message).catch((e: unknown) => e)) as EmailError;
        expect(clientFacing(error)).not.toContain(address);
        expect(String((error.cause as Error | undefined)?.message)).not.toContain(address);
      }),
      { numRuns: 60 },
    );
  });
});
