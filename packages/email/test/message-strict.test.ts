import { createResendProvider } from '@bulwark/email/resend';
import { createTestServer, FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EmailMessage, isEmailError, parseEmailMessage } from '../src/index.js';

const server = createTestServer();
const message = { from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello' };

describe('messages are parsed strictly: nothing is dropped silently', () => {
  it.each([
    ['templateId', { templateId: 'd-123' }],
    ['sendAt', { sendAt: new Date(0) }],
    ['trackOpens', { trackOpens: true }],
  ])('rejects the unsupported field %s before any request, naming it', async (key, extra) => {
    const resend = createResendProvider({ apiKey: 're_x', clock: new FakeClock(0) });
    const error = await resend.send({ ...message, ...extra } as EmailMessage).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'email_invalid_request', provider: 'resend', retryable: false });
    expect((error as { detail: string }).detail).toContain(key);
    expect(server.calls).toEqual([]);
  });

  it('names an unknown key only when it looks like a field name (found by the property below: "#@#.A")', () => {
    const detailOf = (extra: object) => {
      try {
        parseEmailMessage({ ...message, ...extra } as EmailMessage);
      } catch (error) {
        return (error as { detail: string }).detail;
      }
      return '';
    };
    expect(detailOf({ '#@#.A': '' })).toBe('Unrecognized key: 1 more');
    expect(detailOf({ 'ceo@example.com': 'x', trackOpens: true })).toBe('Unrecognized keys: "trackOpens", 1 more');
  });

  it('rejects unknown keys in nested objects too (address, attachment)', () => {
    const bad = [
      { ...message, to: { email: 'b@example.org', displayName: 'B' } },
      { ...message, attachments: [{ filename: 'a.txt', content: 'aGk=', disposition: 'inline' }] },
    ];
    for (const m of bad) {
      expect(() => parseEmailMessage(m as EmailMessage)).toThrow(
        expect.objectContaining({ code: 'email_invalid_request' }),
      );
    }
  });

  it('turns any hostile input into a result or email_invalid_request, never another error (property)', () => {
    const hostile = fc.oneof(
      fc.anything(),
      fc.record({ ...Object.fromEntries(Object.keys(message).map((k) => [k, fc.anything()])) }),
      fc.dictionary(fc.string(), fc.jsonValue()).map((extra) => ({ ...message, ...extra })),
      fc.string().map((to) => ({ ...message, to })),
      fc.array(fc.emailAddress(), { maxLength: 5 }).map((to) => ({ ...message, to })),
    );
    fc.assert(
      fc.property(hostile, (input) => {
        try {
          parseEmailMessage(input as EmailMessage);
        } catch (error) {
          expect(isEmailError(error) && error.code === 'email_invalid_request').toBe(true);
          // The detail names fields and rules, never an address the caller sent.
          expect((error as { detail: string }).detail).not.toMatch(/[^\s"]+@[^\s"]+\.[a-z]/i);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('handles deep, huge and unicode input with a typed error or a result', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = [deep];
    for (const input of [
      { ...message, to: deep },
      { ...message, subject: 'x'.repeat(1_000_000) },
      { ...message, to: 'zoë@exämple.com' },
      { ...message, to: Array.from({ length: 10_000 }, (_, i) => `u${i}@example.com`) },
    ]) {
      try {
        parseEmailMessage(input as EmailMessage);
      } catch (error) {
        expect(error).toMatchObject({ code: 'email_invalid_request' });
      }
    }
  });
});
