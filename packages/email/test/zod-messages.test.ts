import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { createEmailProviderFromEnv } from '../src/from-env.js';
import { EmailConfigError, type EmailMessage, parseEmailMessage } from '../src/index.js';
import { emailMessageSchema } from '../src/schema.js';

// The schemas use zod/mini (small edge bundles), which loads no locale: these pin the English
// messages classic zod printed, and a host's own error map still winning.
const message: EmailMessage = { from: 'a@x.test', to: 'b@y.test', subject: 'Hi', text: 'Hello' };

function detailOf(input: unknown): string {
  try {
    parseEmailMessage(input as EmailMessage);
  } catch (error) {
    return (error as { detail: string }).detail;
  }
  throw new Error('expected parseEmailMessage to throw');
}

describe('validation messages (zod/mini with the English locale; the send path words the same)', () => {
  it('names the field and the rule of an invalid message', () => {
    expect(detailOf({ ...message, subject: '' })).toBe('subject: Too small: expected string to have >=1 characters');
    expect(detailOf({ ...message, subject: undefined })).toBe(
      'subject: Invalid input: expected string, received undefined',
    );
    expect(detailOf({ ...message, idempotencyKey: 'k'.repeat(257) })).toBe(
      'idempotencyKey: Too big: expected string to have <=256 characters',
    );
    // The rejected address itself stays out of the detail (it travels to logs and clients).
    expect(detailOf({ ...message, to: 'not an address' })).toBe('to.0: Invalid email address');
    expect(detailOf({ ...message, text: undefined })).toBe('One of `html` or `text` is required');
    expect(detailOf({ ...message, to: [] })).toBe('to: `to` needs at least one recipient');
  });

  it('names the variable and the allowed values of an invalid environment', () => {
    const config = (env: Record<string, string>) => {
      try {
        createEmailProviderFromEnv(env, { logger: { info() {} } });
      } catch (error) {
        return error;
      }
      throw new Error('expected createEmailProviderFromEnv to throw');
    };
    const region = config({
      EMAIL_PROVIDER: 'mailgun',
      MAILGUN_API_KEY: 'k',
      MAILGUN_DOMAIN: 'd',
      MAILGUN_REGION: 'ap',
    });
    expect(region).toBeInstanceOf(EmailConfigError);
    expect((region as Error).message).toBe('Invalid MAILGUN_REGION: Invalid option: expected one of "us"|"eu"');
    expect((config({ EMAIL_PROVIDER: 'smtp' }) as Error).message).toBe(
      'Invalid EMAIL_PROVIDER: Invalid option: expected one of "resend"|"postmark"|"sendgrid"|"ses"|"mailgun"|"simulated"',
    );
  });

  it("lets a host's error map (z.config customError) word emailMessageSchema's messages, not the send path's", () => {
    z.config({ customError: (issue) => (issue.code === 'too_small' ? 'host says: too short' : undefined) });
    try {
      const viaSchema = emailMessageSchema.safeParse({ ...message, subject: '' });
      expect(viaSchema.error?.issues[0]?.message).toBe('host says: too short');
      // parseEmailMessage (every provider's send) words its details itself, without zod.
      expect(detailOf({ ...message, subject: '' })).toBe('subject: Too small: expected string to have >=1 characters');
    } finally {
      z.config({ customError: undefined });
    }
  });

  it('is a Standard Schema that a zod 4 host can nest', () => {
    const result = emailMessageSchema['~standard'].validate({ ...message, subject: '' });
    expect(result).toMatchObject({ issues: [{ path: ['subject'] }] });
    const nested = z.object({ welcome: emailMessageSchema }).parse({ welcome: message });
    expect(nested.welcome.to).toEqual([{ email: 'b@y.test' }]);
  });

  it('reports an environment that is not an object as EMAIL_PROVIDER', () => {
    expect(() => createEmailProviderFromEnv(null as unknown as Record<string, string>)).toThrow(
      expect.objectContaining({
        variable: 'EMAIL_PROVIDER',
        message: 'Invalid EMAIL_PROVIDER: Invalid input: expected object, received null',
      }),
    );
  });

  it('logs the simulated fallback to the console when no logger is given', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      createEmailProviderFromEnv({ EMAIL_PROVIDER: '  ' });
      expect(info).toHaveBeenCalledWith(expect.stringContaining('EMAIL_PROVIDER is not set'), {
        provider: 'simulated',
      });
    } finally {
      info.mockRestore();
    }
  });

  it('drops a blank display name of an address object', () => {
    const parsed = parseEmailMessage({ ...message, from: { email: ' a@x.test ', name: '  ' } });
    expect(parsed.from).toEqual({ email: 'a@x.test' });
  });
});
