import { createResendProvider } from '@bulwark/email/resend';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../src/index.js';

const message = { from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello' };

/** A fetch that never answers until its signal aborts. */
const hanging: FetchLike = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
  });

describe('provider HTTP calls', () => {
  it('turn a timeout into email_timeout with maybeSent', async () => {
    const clock = new FakeClock();
    const resend = createResendProvider({ apiKey: 're_1', fetch: hanging, timers: clock, clock, timeoutMs: 5000 });
    const pending = resend.send(message).catch((e: unknown) => e);
    await clock.advanceAsync(5000);
    expect(await pending).toMatchObject({
      code: 'email_timeout',
      maybeSent: true,
      retryable: true,
      provider: 'resend',
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('turn a network failure into email_provider_unavailable', async () => {
    const failing: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    const resend = createResendProvider({ apiKey: 're_1', fetch: failing, timers: new FakeClock() });
    await expect(resend.send(message)).rejects.toMatchObject({ code: 'email_provider_unavailable', maybeSent: false });
  });

  it('reject with the caller signal reason on abort, before or during the call', async () => {
    const clock = new FakeClock();
    const resend = createResendProvider({ apiKey: 're_1', fetch: hanging, timers: clock });
    const controller = new AbortController();
    const pending = resend.send(message, { signal: controller.signal }).catch((e: unknown) => e);
    await Promise.resolve();
    controller.abort(new Error('caller gave up'));
    expect(await pending).toMatchObject({ message: 'caller gave up' });
    await expect(resend.send(message, { signal: controller.signal })).rejects.toThrow('caller gave up');
    const batch = resend.sendBatch([message], { signal: controller.signal });
    await expect(batch).rejects.toThrow('caller gave up');
  });

  it('validate timeoutMs once, naming it', () => {
    expect(() => createResendProvider({ apiKey: 're_1', timeoutMs: 0 })).toThrow(/`timeoutMs`/);
  });
});
