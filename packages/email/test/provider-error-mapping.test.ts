import { createPostmarkProvider } from '@bulwark/email/postmark';
import { createResendProvider } from '@bulwark/email/resend';
import { createSendGridProvider } from '@bulwark/email/sendgrid';
import { createTestServer, FakeClock } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { canFailOver, type EmailProvider } from '../src/index.js';

const server = createTestServer();
const clock = new FakeClock(Date.UTC(2026, 10, 22));
const message = { from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello', idempotencyKey: 'k-1' };

/** Documented answers the per-provider fixture tables do not cover: [provider, url, answer, expected]. */
const rows: Array<[string, EmailProvider, string, () => Response, Record<string, unknown>]> = [
  [
    // https://postmarkapp.com/developer/api/overview: requests over 10 MB are refused before any ErrorCode.
    'Postmark 413 without an ErrorCode',
    createPostmarkProvider({ serverToken: 'pm', clock }),
    'https://api.postmarkapp.com/email',
    () => new HttpResponse('Request Entity Too Large', { status: 413 }),
    { code: 'email_invalid_request', retryable: false },
  ],
  [
    // SendGrid mail send: "413 PAYLOAD TOO LARGE" (30 MB), body not guaranteed.
    'SendGrid 413 without an errors list',
    createSendGridProvider({ apiKey: 'SG.x', clock }),
    'https://api.sendgrid.com/v3/mail/send',
    () => new HttpResponse(null, { status: 413 }),
    { code: 'email_invalid_request', retryable: false },
  ],
  [
    // Resend errors: "Same idempotency key used while original request is still in progress" —
    // the first request may still send, so it is maybe-sent: retry here, never elsewhere.
    'Resend 409 concurrent_idempotent_requests',
    createResendProvider({ apiKey: 're_x', clock }),
    'https://api.resend.com/emails',
    () =>
      HttpResponse.json(
        {
          statusCode: 409,
          name: 'concurrent_idempotent_requests',
          message: 'Same idempotency key used while original request is still in progress.',
        },
        { status: 409 },
      ),
    { code: 'email_provider_unavailable', retryable: true, maybeSent: true },
  ],
];

describe('documented provider errors outside the fixture tables', () => {
  it.each(rows)('%s', async (_, provider, url, answer, expected) => {
    server.use(http.post(url, answer));
    const error = await provider.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject(expected);
    if ((expected as { maybeSent?: boolean }).maybeSent) expect(canFailOver(error, message)).toBe(false);
  });
});
