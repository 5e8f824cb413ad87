import { createCircuitBreaker } from '@bulwark/breaker';
import { createRetry } from '@bulwark/retry';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  canFailOver,
  createFailoverProvider,
  createSimulatedProvider,
  EmailError,
  type EmailProvider,
} from '../src/index.js';

const message = { from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello' };

function chain(options: { retries?: number } = {}) {
  const clock = new FakeClock(0);
  const primary = createSimulatedProvider({ name: 'primary', clock });
  const secondary = createSimulatedProvider({ name: 'secondary', clock });
  const onFailover = vi.fn();
  const email = createFailoverProvider({
    providers: [primary, secondary],
    retry: { retries: options.retries ?? 0, minDelayMs: 1, maxDelayMs: 1 },
    breaker: { window: { type: 'count', size: 4 }, minimumCalls: 2, failureRateThreshold: 50, openWaitMs: 60_000 },
    clock,
    timers: clock,
    onFailover,
  });
  return { clock, primary, secondary, email, onFailover };
}

describe('createFailoverProvider', () => {
  it('sends through the first provider when it works', async () => {
    const { email, primary, secondary } = chain();
    await expect(email.send(message)).resolves.toMatchObject({ provider: 'primary' });
    expect([primary.messages.length, secondary.messages.length]).toEqual([1, 0]);
  });

  it.each(['email_provider_unavailable', 'email_rate_limited'] as const)('fails over on retryable %s', async (code) => {
    const { email, primary, onFailover } = chain();
    primary.failNext(code);
    await expect(email.send(message)).resolves.toMatchObject({ provider: 'secondary' });
    expect(onFailover).toHaveBeenCalledWith(expect.objectContaining({ from: 'primary', to: 'secondary' }));
  });

  it.each(['email_invalid_recipient', 'email_suppressed', 'email_auth_failed', 'email_invalid_request'] as const)(
    'does not fail over on non-retryable %s',
    async (code) => {
      const { email, primary, secondary } = chain();
      primary.failNext(code);
      await expect(email.send(message)).rejects.toMatchObject({ code, provider: 'primary' });
      expect(secondary.messages).toHaveLength(0);
    },
  );

  it('never fails over (nor retries) after a possibly-sent timeout without an idempotency key', async () => {
    const { email, primary, secondary } = chain({ retries: 2 });
    primary.failNext('email_timeout', 3);
    const error = await email.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'email_timeout', maybeSent: true, retryable: false, provider: 'primary' });
    expect(secondary.messages).toHaveLength(0);
  });

  it('retries a timeout on the same provider when the message has an idempotency key', async () => {
    const { email, primary, clock } = chain({ retries: 1 });
    primary.failNext('email_timeout', 1);
    const pending = email.send({ ...message, idempotencyKey: 'order-42' });
    await clock.advanceAsync(10);
    await expect(pending).resolves.toMatchObject({ provider: 'primary' });
  });

  it('never hands a possibly-sent message to another provider, even with an idempotency key (keys are per provider)', async () => {
    const { email, primary, secondary, clock } = chain({ retries: 1 });
    primary.failNext('email_timeout', 2);
    const pending = email.send({ ...message, idempotencyKey: 'order-42' }).catch((e: unknown) => e);
    await clock.advanceAsync(10);
    expect(await pending).toMatchObject({ code: 'email_timeout', maybeSent: true, provider: 'primary' });
    expect(secondary.messages).toHaveLength(0);
  });

  it('retries the same provider before failing over', async () => {
    const { email, primary, clock } = chain({ retries: 2 });
    primary.failNext('email_provider_unavailable', 2);
    const pending = email.send(message);
    await clock.advanceAsync(10);
    await expect(pending).resolves.toMatchObject({ provider: 'primary' });
  });

  it('skips a provider whose breaker is open, without calling it', async () => {
    const { email, primary, secondary } = chain();
    primary.failNext('email_provider_unavailable', 2);
    await email.send(message);
    await email.send(message);
    expect(email.breakers.primary!.state).toBe('open');
    primary.failNext('email_auth_failed');
    await expect(email.send(message)).resolves.toMatchObject({ provider: 'secondary' });
    expect(secondary.messages).toHaveLength(3);
  });

  it('throws the last error when every provider fails', async () => {
    const { email, primary, secondary } = chain();
    primary.failNext('email_provider_unavailable');
    secondary.failNext('email_rate_limited');
    await expect(email.send(message)).rejects.toMatchObject({ code: 'email_rate_limited', provider: 'secondary' });
  });

  it('accepts ready-made breaker and retry policies per entry', async () => {
    const clock = new FakeClock();
    const primary = createSimulatedProvider({ name: 'primary' });
    const breaker = createCircuitBreaker({ name: 'custom', clock });
    const retry = createRetry({ retries: 0, clock, timers: clock });
    const email = createFailoverProvider({ providers: [{ provider: primary, breaker, retry }] });
    await expect(email.send(message)).resolves.toMatchObject({ provider: 'primary' });
    expect(email.breakers).toEqual({});
  });

  it('reports batch items and does not fail over on programming errors', async () => {
    const { email, primary } = chain();
    primary.failNext('email_invalid_request');
    const results = await email.sendBatch([message, message]);
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    const broken: EmailProvider = {
      ...createSimulatedProvider(),
      name: 'broken',
      send: () => Promise.reject(new TypeError('bug')),
    };
    const other = createFailoverProvider({ providers: [broken, createSimulatedProvider()], retry: { retries: 0 } });
    await expect(other.send(message)).rejects.toThrow('bug');
    const batch = await other.sendBatch([message]);
    expect(batch[0]).toMatchObject({ ok: false, error: { code: 'email_provider_unavailable' } });
  });

  it('honours the caller signal', async () => {
    const { email } = chain();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(email.send(message, { signal: controller.signal })).rejects.toThrow('stop');
    await expect(email.sendBatch([message], { signal: controller.signal })).rejects.toThrow('stop');
  });

  it('needs at least one provider', () => {
    expect(() => createFailoverProvider({ providers: [] })).toThrow(expect.objectContaining({ variable: 'providers' }));
  });
});

describe('canFailOver', () => {
  const timeout = new EmailError({ code: 'email_timeout', provider: 'p', maybeSent: true });
  it('allows retryable codes, refuses maybe-sent failures (with or without a key) and non-email errors', () => {
    expect(canFailOver(new EmailError({ code: 'email_provider_unavailable', provider: 'p' }), {})).toBe(true);
    expect(canFailOver(timeout, {})).toBe(false);
    expect(canFailOver(timeout, { idempotencyKey: 'k' })).toBe(false);
    expect(canFailOver(new Error('x'), {})).toBe(false);
  });
});
