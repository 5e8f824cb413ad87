import { describe, expect, it, vi } from 'vitest';

// Counts calls of every catalog's err(): an error class must not construct a throwaway error (with
// its stack trace) to read its definition.
const errCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('@bulwark/errors', async (importOriginal) => {
  const original = await importOriginal<typeof import('@bulwark/errors')>();
  return {
    ...original,
    defineErrors: ((definitions: Parameters<typeof original.defineErrors>[0]) => {
      const catalog = original.defineErrors(definitions);
      return Object.freeze({
        ...catalog,
        err: (...args: Parameters<typeof catalog.err>) => {
          errCalls.count++;
          return catalog.err(...args);
        },
      });
    }) as typeof original.defineErrors,
  };
});

const { EmailConfigError, EmailError, EmailWebhookError, emailErrors } = await import('../src/index.js');

describe('constructing an email error', () => {
  it.each([
    ['EmailError', () => new EmailError({ code: 'email_rate_limited', provider: 'resend', retryAfterMs: 5 })],
    ['EmailWebhookError', () => new EmailWebhookError('email_webhook_signature_invalid', 'ses', 'bad signature')],
    ['EmailConfigError', () => new EmailConfigError('apiKey', 'missing')],
  ] as const)('%s builds one error, not a throwaway one first', (_name, make) => {
    errCalls.count = 0;
    make();
    expect(errCalls.count).toBe(0);
  });

  it('keeps the catalog definition: status, title, retryable and the retryable override', () => {
    const limited = new EmailError({ code: 'email_rate_limited', provider: 'resend' });
    const definition = emailErrors.definitions.email_rate_limited;
    expect(limited).toMatchObject({ code: 'email_rate_limited', status: definition.status, title: definition.title });
    expect(limited.retryable).toBe(definition.retryable ?? false);
    expect(new EmailError({ code: 'email_rate_limited', provider: 'resend', retryable: false }).retryable).toBe(false);
    const webhook = new EmailWebhookError('email_webhook_malformed', 'ses', 'bad');
    expect(webhook.status).toBe(emailErrors.definitions.email_webhook_malformed.status);
    expect(new EmailConfigError('apiKey', 'missing').status).toBe(emailErrors.definitions.email_config_invalid.status);
  });

  it('turns a code unknown at runtime into unknown_error, as the catalog does', () => {
    const error = new EmailError({ code: 'not_a_code' as 'email_rate_limited', provider: 'resend' });
    expect(error.code).toBe('unknown_error');
    expect(error.status).toBe(500);
  });

  it('builds webhook errors (a forged or malformed request) without a stack trace', () => {
    const error = new EmailWebhookError('email_webhook_signature_invalid', 'ses', 'bad signature');
    expect(error.stack).toBeUndefined();
    expect(String(error)).toBe('EmailWebhookError: bad signature');
    expect(new EmailError({ code: 'email_rate_limited', provider: 'resend' }).stack).toMatch(/\n\s+at /);
  });
});
