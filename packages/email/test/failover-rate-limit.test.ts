import { createPostmarkProvider } from '@bulwark/email/postmark';
import { createResendProvider } from '@bulwark/email/resend';
import { createTestServer, FakeClock, flushMicrotasks } from '@bulwark/testing';
import fc from 'fast-check';
import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createFailoverProvider, createSimulatedProvider, type EmailProvider } from '../src/index.js';

const message = { from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello' };

/** Counts every call a provider receives, failed or not. */
function counted(provider: EmailProvider) {
  const calls = { count: 0 };
  const wrapped: EmailProvider = {
    ...provider,
    name: provider.name,
    batchLimit: provider.batchLimit,
    send: (m, o) => {
      calls.count++;
      return provider.send(m, o);
    },
    sendBatch: provider.sendBatch,
  };
  return { provider: wrapped, calls };
}

function chain(retryAfterMs: number | undefined, retries?: number) {
  const clock = new FakeClock(0);
  const primary = createSimulatedProvider({ name: 'primary', clock });
  const secondary = createSimulatedProvider({ name: 'secondary', clock });
  const p = counted(primary);
  const s = counted(secondary);
  const onFailover = vi.fn();
  // The defaults: `{ retries: 2 }`, which honours Retry-After.
  const email = createFailoverProvider({
    providers: [p.provider, s.provider],
    clock,
    timers: clock,
    onFailover,
    ...(retries === undefined ? {} : { retry: { retries } }),
  });
  primary.failNext({ code: 'email_rate_limited', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  return { email, primary, secondary, p, s, clock, onFailover };
}

describe('failover on a rate limit (fake time)', () => {
  it('moves to the next provider at once: no retry waits out the limited one', async () => {
    const { email, p, s, onFailover } = chain(1000);
    let result: unknown;
    void email.send(message).then((r) => {
      result = r;
    });
    await flushMicrotasks(50); // no time passes
    expect(result).toMatchObject({ provider: 'secondary' });
    expect(p.calls.count).toBe(1);
    expect(s.calls.count).toBe(1);
    expect(onFailover).toHaveBeenCalledTimes(1);
  });

  it("honours Retry-After for that provider's own next use: skipped until then, used again after", async () => {
    const { email, p, clock } = chain(2000);
    await email.send(message);
    clock.advance(1999);
    await expect(email.send(message)).resolves.toMatchObject({ provider: 'secondary' });
    expect(p.calls.count).toBe(1);
    clock.advance(1);
    await expect(email.send(message)).resolves.toMatchObject({ provider: 'primary' });
    expect(p.calls.count).toBe(2);
  });

  it('fails at once with the shortest wait when every provider is waiting', async () => {
    const { email, secondary, p, s, clock } = chain(3000, 0);
    secondary.failNext({ code: 'email_rate_limited', retryAfterMs: 5000 });
    const first = await email.send(message).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'email_rate_limited', provider: 'secondary' });
    clock.advance(1000);
    const calls = p.calls.count + s.calls.count;
    await expect(email.send(message)).rejects.toMatchObject({
      code: 'email_rate_limited',
      provider: 'primary',
      retryAfterMs: 2000,
      retryable: true,
    });
    expect(p.calls.count + s.calls.count).toBe(calls);
  });

  it('still retries the last provider left, waiting what it asked', async () => {
    const clock = new FakeClock(0);
    const only = createSimulatedProvider({ name: 'only', clock });
    only.failNext({ code: 'email_rate_limited', retryAfterMs: 500 });
    const email = createFailoverProvider({ providers: [only], clock, timers: clock });
    let result: unknown;
    void email.send(message).then((r) => {
      result = r;
    });
    await clock.advanceAsync(499);
    expect(result).toBeUndefined();
    await clock.advanceAsync(1);
    expect(result).toMatchObject({ provider: 'only' });
  });

  it('never calls a limited provider again inside the wait it asked for (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60_000 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 8 }),
        async (wait, steps) => {
          const { email, p, clock } = chain(wait);
          await email.send(message);
          let elapsed = 0;
          for (const step of steps) {
            clock.advance(step);
            elapsed += step;
            const before = p.calls.count;
            const result = await email.send(message);
            expect(result.provider).toBe(elapsed < wait ? 'secondary' : 'primary');
            if (elapsed < wait) expect(p.calls.count).toBe(before);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('failover on an HTTP 429 with Retry-After (msw, real adapters)', () => {
  const server = createTestServer();

  it('Resend 429 rate_limit_exceeded hands over to Postmark without waiting the 2 s it asked for', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22));
    server.use(
      http.post('https://api.resend.com/emails', () =>
        HttpResponse.json(
          { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests.' },
          { status: 429, headers: { 'retry-after': '2' } },
        ),
      ),
      http.post('https://api.postmarkapp.com/email', () =>
        HttpResponse.json({ To: 'b@example.org', MessageID: 'pm-1', ErrorCode: 0, Message: 'OK' }),
      ),
    );
    const email = createFailoverProvider({
      providers: [
        createResendProvider({ apiKey: 're_test', clock, timers: clock }),
        createPostmarkProvider({ serverToken: 'pm', clock, timers: clock }),
      ],
      clock,
      timers: clock,
    });
    const pending = email.send(message);
    await expect(pending).resolves.toMatchObject({ provider: 'postmark', messageId: 'pm-1' });
    expect(server.calls.map((c) => new URL(c.url).host)).toEqual(['api.resend.com', 'api.postmarkapp.com']);
    await email.send(message);
    expect(server.calls.filter((c) => c.url.includes('resend'))).toHaveLength(1);
  });
});
