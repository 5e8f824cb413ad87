import { isBulwarkError, toProblem } from '@bulwark/errors';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import { createEmailProviderFromEnv } from '../src/from-env.js';
import {
  createSimulatedProvider,
  EmailError,
  emailErrors,
  formatAddress,
  isEmailConfigError,
  isEmailError,
  parseEmailMessage,
} from '../src/index.js';

const message = { from: 'Ada <ada@example.com>', to: 'bob@example.org', subject: 'Hi', text: 'Hello' };

describe('EmailMessage', () => {
  it('normalizes addresses, lists and defaults', () => {
    const m = parseEmailMessage({
      ...message,
      to: ['bob@example.org', { email: 'carol@example.org', name: 'Carol' }],
      cc: '"Dee, D." <dee@example.org>',
    });
    expect(m.from).toEqual({ email: 'ada@example.com', name: 'Ada' });
    expect(m.to).toEqual([{ email: 'bob@example.org' }, { email: 'carol@example.org', name: 'Carol' }]);
    expect(m.cc).toEqual([{ email: 'dee@example.org', name: 'Dee, D.' }]);
    expect(m.bcc).toEqual([]);
    expect(m.tags).toEqual({});
  });

  it('rejects an invalid address with email_invalid_request naming the field', () => {
    let error: unknown;
    try {
      parseEmailMessage({ ...message, to: 'not-an-address' }, 'resend');
    } catch (e) {
      error = e;
    }
    expect(isEmailError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'email_invalid_request', provider: 'resend', retryable: false });
    expect((error as EmailError).detail).toMatch(/^to\.0: Invalid email address/);
  });

  it('requires html or text, and an idempotency key of at most 256 characters', () => {
    expect(() => parseEmailMessage({ from: 'a@x.test', to: 'b@y.test', subject: 's' })).toThrow(/html/);
    expect(() => parseEmailMessage({ ...message, idempotencyKey: 'k'.repeat(257) })).toThrow(EmailError);
    expect(() => parseEmailMessage({ ...message, to: [] })).toThrow(/at least one recipient/);
  });

  it('formats mailboxes, quoting names with specials', () => {
    expect(formatAddress({ email: 'a@x.test' })).toBe('a@x.test');
    expect(formatAddress({ email: 'a@x.test', name: 'Ada' })).toBe('Ada <a@x.test>');
    expect(formatAddress({ email: 'a@x.test', name: 'Lovelace, "Ada"' })).toBe('"Lovelace, \\"Ada\\"" <a@x.test>');
  });
});

describe('EmailError', () => {
  it('carries the taxonomy fields and the catalog status', () => {
    const error = new EmailError({
      code: 'email_rate_limited',
      provider: 'resend',
      providerStatus: 429,
      providerCode: 'daily_quota_exceeded',
      requestId: 'req_1',
      retryAfterMs: 1000,
      quota: true,
    });
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'EmailError', status: 429, retryable: true, quota: true, maybeSent: false });
    expect(error.toJSON()).toMatchObject({ provider: 'resend', providerStatus: 429, requestId: 'req_1' });
    expect(toProblem(error)).toMatchObject({ status: 429, retryAfterMs: 1000 });
  });

  it('registers every code with @bulwark/errors', () => {
    expect(emailErrors.codes).toEqual(
      expect.arrayContaining([
        'email_rate_limited',
        'email_invalid_recipient',
        'email_suppressed',
        'email_auth_failed',
        'email_invalid_request',
        'email_provider_unavailable',
        'email_timeout',
        'email_unknown',
        'email_webhook_signature_invalid',
        'email_webhook_malformed',
      ]),
    );
    expect(emailErrors.definitions.email_provider_unavailable.retryable).toBe(true);
    expect('retryable' in emailErrors.definitions.email_invalid_recipient).toBe(false);
  });
});

describe('createSimulatedProvider', () => {
  it('records accepted messages with ids and the injected clock', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const email = createSimulatedProvider({ clock });
    const result = await email.send(message);
    expect(result).toEqual({ provider: 'simulated', messageId: 'sim-1', acceptedAt: new Date(1_700_000_000_000) });
    expect(email.messages[0]?.message.subject).toBe('Hi');
  });

  it('fails with any taxonomy code on demand; timeouts are maybeSent', async () => {
    const email = createSimulatedProvider();
    email.failNext('email_timeout');
    email.failNext({ code: 'email_rate_limited', retryAfterMs: 500, quota: true });
    await expect(email.send(message)).rejects.toMatchObject({ code: 'email_timeout', maybeSent: true });
    await expect(email.send(message)).rejects.toMatchObject({ code: 'email_rate_limited', retryAfterMs: 500 });
    await expect(email.send(message)).resolves.toMatchObject({ messageId: 'sim-1' });
  });

  it('fails by predicate and reports batch items in order', async () => {
    const email = createSimulatedProvider({
      failWhen: (m) => (m.to[0]?.email === 'gone@example.org' ? 'email_suppressed' : undefined),
    });
    const results = await email.sendBatch([message, { ...message, to: 'gone@example.org' }]);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]).toMatchObject({ index: 1, error: { code: 'email_suppressed' } });
    email.reset();
    expect(email.messages).toHaveLength(0);
  });

  it('honours an aborted signal', async () => {
    const email = createSimulatedProvider();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(email.send(message, { signal: controller.signal })).rejects.toThrow('stop');
    await expect(email.sendBatch([message], { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('createEmailProviderFromEnv', () => {
  it('falls back to simulated with one log line when EMAIL_PROVIDER is absent or empty', () => {
    for (const env of [{}, { EMAIL_PROVIDER: '  ' }]) {
      const logger = { info: vi.fn() };
      const provider = createEmailProviderFromEnv(env, { logger });
      expect(provider.name).toBe('simulated');
      expect(logger.info).toHaveBeenCalledTimes(1);
      expect(logger.info.mock.calls[0]?.[0]).toMatch(/EMAIL_PROVIDER is not set.*simulated/);
    }
  });

  it('logs the fallback through console when no logger is given', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      expect(createEmailProviderFromEnv({}).name).toBe('simulated');
      expect(info).toHaveBeenCalledTimes(1);
      expect(info.mock.calls[0]?.[0]).toMatch(/EMAIL_PROVIDER is not set.*simulated/);
    } finally {
      info.mockRestore();
    }
  });

  it('builds the simulated provider when EMAIL_PROVIDER=simulated, with or without a clock, logging nothing', async () => {
    const logger = { info: vi.fn() };
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const clocked = createEmailProviderFromEnv({ EMAIL_PROVIDER: 'simulated' }, { logger, clock });
    expect(clocked.name).toBe('simulated');
    expect((await clocked.send(message)).acceptedAt).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(createEmailProviderFromEnv({ EMAIL_PROVIDER: 'simulated' }, { logger }).name).toBe('simulated');
    expect(logger.info).not.toHaveBeenCalled();
  });

  it.each([
    ['resend', 'RESEND_API_KEY', {}],
    ['postmark', 'POSTMARK_SERVER_TOKEN', {}],
    ['sendgrid', 'SENDGRID_API_KEY', {}],
    ['ses', 'AWS_SECRET_ACCESS_KEY', { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKID' }],
    ['mailgun', 'MAILGUN_DOMAIN', { MAILGUN_API_KEY: 'key' }],
  ])('refuses %s without %s, naming the variable (never silently simulated)', (provider, variable, extra) => {
    const logger = { info: vi.fn() };
    let error: unknown;
    try {
      createEmailProviderFromEnv({ EMAIL_PROVIDER: provider, ...extra }, { logger });
    } catch (e) {
      error = e;
    }
    expect(isEmailConfigError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'email_config_invalid', variable });
    expect((error as Error).message).toContain(variable);
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('rejects an unknown provider and a bad region, naming the variable', () => {
    expect(() => createEmailProviderFromEnv({ EMAIL_PROVIDER: 'sparkpost' })).toThrow(
      expect.objectContaining({ variable: 'EMAIL_PROVIDER' }),
    );
    expect(() =>
      createEmailProviderFromEnv({
        EMAIL_PROVIDER: 'mailgun',
        MAILGUN_API_KEY: 'k',
        MAILGUN_DOMAIN: 'd',
        MAILGUN_REGION: 'ap',
      }),
    ).toThrow(expect.objectContaining({ variable: 'MAILGUN_REGION' }));
  });

  it('sets the adapter batchConcurrency from EMAIL_BATCH_CONCURRENCY', () => {
    const env = { EMAIL_PROVIDER: 'sendgrid', SENDGRID_API_KEY: 'SG.x' };
    expect(createEmailProviderFromEnv(env).batchConcurrency).toBe(16);
    expect(createEmailProviderFromEnv({ ...env, EMAIL_BATCH_CONCURRENCY: '12' }).batchConcurrency).toBe(12);
    expect(createEmailProviderFromEnv({ ...env, EMAIL_BATCH_CONCURRENCY: ' 2 ' }).batchConcurrency).toBe(2);
    expect(createEmailProviderFromEnv({ ...env, EMAIL_BATCH_CONCURRENCY: '' }).batchConcurrency).toBe(16);
    const resend = { EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_1', EMAIL_BATCH_CONCURRENCY: '3' };
    expect(createEmailProviderFromEnv(resend).batchConcurrency).toBe(3);
  });

  it.each(['0', '-1', '1.5', '4.0', '+4', '0x4', '1e2', '04', 'four', '9007199254740993'])(
    'rejects EMAIL_BATCH_CONCURRENCY=%s with a config error naming the variable',
    (value) => {
      for (const provider of ['sendgrid', 'simulated']) {
        const env = { EMAIL_PROVIDER: provider, SENDGRID_API_KEY: 'SG.x', EMAIL_BATCH_CONCURRENCY: value };
        let error: unknown;
        try {
          createEmailProviderFromEnv(env);
        } catch (e) {
          error = e;
        }
        expect(isEmailConfigError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'email_config_invalid', variable: 'EMAIL_BATCH_CONCURRENCY' });
        expect((error as Error).message).toMatch(/EMAIL_BATCH_CONCURRENCY.*integer ≥ 1/);
      }
    },
  );

  it.each([
    ['resend', { RESEND_API_KEY: 're_1' }],
    ['postmark', { POSTMARK_SERVER_TOKEN: 'pm', POSTMARK_MESSAGE_STREAM: 'broadcast' }],
    ['sendgrid', { SENDGRID_API_KEY: 'SG.x' }],
    ['ses', { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' }],
    ['mailgun', { MAILGUN_API_KEY: 'k', MAILGUN_DOMAIN: 'mg.example.com', MAILGUN_REGION: 'eu' }],
    ['simulated', {}],
    ['Resend', { RESEND_API_KEY: 're_1' }],
  ])('builds %s from its variables', (provider, vars) => {
    const built = createEmailProviderFromEnv(
      { EMAIL_PROVIDER: provider, ...vars },
      { fetch: vi.fn(), clock: new FakeClock(), timers: new FakeClock() },
    );
    expect(built.name).toBe(provider.toLowerCase());
  });
});
