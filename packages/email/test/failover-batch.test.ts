import { createMailgunProvider } from '@bulwark/email/mailgun';
import { createResendProvider } from '@bulwark/email/resend';
import { createSendGridProvider } from '@bulwark/email/sendgrid';
import { FakeClock, flushMicrotasks } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  type BatchItemResult,
  createFailoverProvider,
  createSimulatedProvider,
  type EmailProvider,
  type FailoverOptions,
  type SendResult,
  type SimulatedFailure,
} from '../src/index.js';
import { numberedMessages } from './helpers/numbered-messages.js';

const indexOf = (message: { readonly subject: string }) => Number(/\d+$/.exec(message.subject)?.[0]);

/** A provider whose sends wait until the test answers them, counting how many are in flight. */
function heldProvider(name: string) {
  const waiting = new Map<number, { resolve: (r: SendResult) => void; reject: (e: unknown) => void }>();
  const started: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const provider: EmailProvider = {
    name,
    batchLimit: 1,
    async send(message, options = {}) {
      const index = indexOf(message);
      started.push(index);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await new Promise<SendResult>((resolve, reject) => {
          waiting.set(index, { resolve, reject });
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
        });
      } finally {
        inFlight -= 1;
        waiting.delete(index);
      }
    },
    sendBatch: () => Promise.reject(new Error('not used')),
  };
  return {
    provider,
    started,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Indexes currently waiting for an answer. */
    waiting: () => [...waiting.keys()],
    accept(index: number) {
      waiting.get(index)?.resolve({ provider: name, messageId: `${name}-${index}`, acceptedAt: new Date(0) });
    },
  };
}

function failover(providers: FailoverOptions['providers'], extra: Partial<FailoverOptions> = {}) {
  const clock = new FakeClock(0);
  return createFailoverProvider({
    providers,
    retry: { retries: 0 },
    breaker: { minimumCalls: 100 },
    clock,
    timers: clock,
    ...extra,
  });
}

const outcomes = (results: BatchItemResult[]) =>
  results.map((r) => (r.ok ? r.result.messageId : `${r.error.provider}:${r.error.code}`));

describe('failover sendBatch', () => {
  it('keeps batchConcurrency messages in flight and reports them in input order', async () => {
    const primary = heldProvider('primary');
    const email = failover([primary.provider, createSimulatedProvider({ name: 'secondary' })], {
      batchConcurrency: 3,
    });
    const pending = email.sendBatch(numberedMessages(7));
    await flushMicrotasks(100);
    expect(primary.waiting()).toEqual([0, 1, 2]);
    // Answer newest first, so answers arrive out of input order.
    while (primary.waiting().length > 0) {
      for (const index of primary.waiting().reverse()) primary.accept(index);
      await flushMicrotasks(100);
    }
    const results = await pending;
    expect(primary.maxInFlight).toBe(3);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(outcomes(results)).toEqual(Array.from({ length: 7 }, (_, i) => `primary-${i}`));
  });

  it('fails each item over on its own: retryable errors move on, non-retryable ones do not', async () => {
    const failures: Record<number, SimulatedFailure> = {
      1: 'email_provider_unavailable',
      2: 'email_invalid_recipient',
      // No Retry-After: the primary is not put on hold, so later items still start there.
      3: 'email_rate_limited',
      4: 'email_timeout',
    };
    const primary = createSimulatedProvider({ name: 'primary', failWhen: (m) => failures[indexOf(m)] });
    const secondary = createSimulatedProvider({ name: 'secondary' });
    const onFailover = vi.fn();
    const email = failover([primary, secondary], { batchConcurrency: 4, onFailover });
    const batch = numberedMessages(6);
    const results = await email.sendBatch(batch);
    expect(results.map((r) => (r.ok ? r.result.provider : `${r.error.provider}:${r.error.code}`))).toEqual([
      'primary',
      'secondary',
      'primary:email_invalid_recipient',
      'secondary',
      'primary:email_timeout',
      'primary',
    ]);
    expect(results[4]).toMatchObject({ ok: false, error: { maybeSent: true, retryable: false } });
    expect(onFailover.mock.calls.map(([event]) => event.error.code).sort()).toEqual([
      'email_provider_unavailable',
      'email_rate_limited',
    ]);
    expect(secondary.messages.map((m) => m.message.subject)).toEqual(['Message 1', 'Message 3']);
  });

  it('never hands a possibly-sent timeout to another provider, even with an idempotency key', async () => {
    const primary = createSimulatedProvider({ name: 'primary' });
    primary.failNext('email_timeout', 3);
    const secondary = createSimulatedProvider({ name: 'secondary' });
    const email = failover([primary, secondary], { batchConcurrency: 2 });
    const [first] = await email.sendBatch([{ ...numberedMessages(1)[0]!, idempotencyKey: 'order-42' }]);
    expect(first).toMatchObject({ ok: false, error: { code: 'email_timeout', provider: 'primary' } });
    expect(secondary.messages).toHaveLength(0);
  });

  it('stops starting messages on abort and rejects with the reason once the sends in flight settle', async () => {
    const primary = heldProvider('primary');
    const secondary = createSimulatedProvider({ name: 'secondary' });
    const email = failover([primary.provider, secondary], { batchConcurrency: 2 });
    const controller = new AbortController();
    const reason = new Error('shutdown');
    const pending = email.sendBatch(numberedMessages(6), { signal: controller.signal });
    await flushMicrotasks(100);
    primary.accept(0);
    await flushMicrotasks(100);
    expect(primary.started).toEqual([0, 1, 2]);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(primary.started).toEqual([0, 1, 2]);
    expect(secondary.messages).toHaveLength(0);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const primary = createSimulatedProvider({ name: 'primary' });
    const email = failover([primary], { batchConcurrency: 3 });
    const reason = new Error('stop');
    await expect(email.sendBatch(numberedMessages(3), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(primary.messages).toHaveLength(0);
  });

  it('defaults batchConcurrency to the smallest one in the chain, else 4', () => {
    const resend = createResendProvider({ apiKey: 're_test' });
    const sendgrid = createSendGridProvider({ apiKey: 'SG.test' });
    const mailgun = createMailgunProvider({ apiKey: 'key', domain: 'mg.example.com', batchConcurrency: 2 });
    expect([resend.batchConcurrency, sendgrid.batchConcurrency, mailgun.batchConcurrency]).toEqual([1, 16, 2]);
    expect(failover([sendgrid, resend]).batchConcurrency).toBe(1);
    expect(failover([sendgrid, mailgun]).batchConcurrency).toBe(2);
    expect(failover([createSimulatedProvider(), createSimulatedProvider()]).batchConcurrency).toBe(4);
    expect(failover([sendgrid, resend], { batchConcurrency: 8 }).batchConcurrency).toBe(8);
  });

  it('validates batchConcurrency once, naming it', () => {
    for (const batchConcurrency of [0, 1.5, -1, Number.NaN]) {
      expect(() => failover([createSimulatedProvider()], { batchConcurrency })).toThrow(/batchConcurrency/);
    }
  });
});

describe('failover and spent quotas', () => {
  it('hands a quota error to the next provider at once instead of retrying the same provider', async () => {
    const primary = createSimulatedProvider({ name: 'primary' });
    const send = vi.spyOn(primary, 'send');
    primary.failNext({ code: 'email_rate_limited', quota: true, retryAfterMs: 3_600_000 }, 3);
    const email = failover([primary, createSimulatedProvider({ name: 'secondary' })], { retry: { retries: 2 } });
    await expect(email.send(numberedMessages(1)[0]!)).resolves.toMatchObject({ provider: 'secondary' });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("still asks the caller's shouldRetry for other errors", async () => {
    const primary = createSimulatedProvider({ name: 'primary' });
    const send = vi.spyOn(primary, 'send');
    primary.failNext('email_provider_unavailable', 3);
    const shouldRetry = vi.fn(() => false);
    const email = failover([primary, createSimulatedProvider({ name: 'secondary' })], {
      retry: { retries: 2, shouldRetry },
    });
    await expect(email.send(numberedMessages(1)[0]!)).resolves.toMatchObject({ provider: 'secondary' });
    expect(send).toHaveBeenCalledTimes(1);
    expect(shouldRetry).toHaveBeenCalledTimes(1);
  });
});
