import { parseResendWebhook } from '@bulwark/email/resend';
import { FakeClock } from '@bulwark/testing';
import { createWebhookSigner } from '@bulwark/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suppressionsFromEvents } from '../src/index.js';
import { bounced } from './fixtures/resend-events.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const clock = new FakeClock(Date.parse('2024-11-22T23:41:13Z'));
const signer = createWebhookSigner({ scheme: 'standard', secrets: secret, clock });

async function parse(payload: unknown) {
  const rawBody = JSON.stringify(payload);
  const h = await signer.sign({ body: rawBody, id: 'msg_multi' });
  const headers = {
    'svix-id': h['webhook-id']!,
    'svix-timestamp': h['webhook-timestamp']!,
    'svix-signature': h['webhook-signature']!,
  };
  return parseResendWebhook({ headers, rawBody }, { secrets: secret, clock });
}

/** A documented email.bounced payload sent to `to`, with `bounce` replaced. */
const bounceTo = (to: unknown, bounce: Record<string, unknown> = bounced.data.bounce) => ({
  ...bounced,
  data: { ...bounced.data, to, bounce },
});

describe('Resend with a replay store that fails', () => {
  it('refuses with a typed, retryable email_webhook_replay_unavailable (fail closed)', async () => {
    const rawBody = JSON.stringify(bounced);
    const h = await signer.sign({ body: rawBody, id: 'msg_store_down' });
    const headers = {
      'svix-id': h['webhook-id']!,
      'svix-timestamp': h['webhook-timestamp']!,
      'svix-signature': h['webhook-signature']!,
    };
    const replayStore = { claim: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) };
    await expect(
      parseResendWebhook({ headers, rawBody }, { secrets: secret, clock, replayStore }),
    ).rejects.toMatchObject({
      code: 'email_webhook_replay_unavailable',
      status: 503,
      retryable: true,
    });
  });
});

describe('Resend events for mail with several recipients', () => {
  it('one bounce of a three-recipient mail suppresses nobody when it does not say whose it is', async () => {
    const events = await parse(bounceTo(['ada@example.com', 'bob@example.com', 'cy@example.com']));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'bounced',
      recipient: '',
      candidates: ['ada@example.com', 'bob@example.com', 'cy@example.com'],
      eventId: 'msg_multi',
      bounce: { kind: 'hard' },
    });
    expect(suppressionsFromEvents(events)).toEqual([]);
  });

  it('suppresses exactly the recipient the bounce detail names', async () => {
    const bounce = {
      type: 'Permanent',
      subType: 'General',
      message: 'smtp; 550 5.1.1 <bob@example.com>: Recipient address rejected',
    };
    const events = await parse(bounceTo(['Ada <ada@example.com>', 'bob@example.com'], bounce));
    expect(events.map((e) => [e.recipient, e.candidates])).toEqual([['bob@example.com', undefined]]);
    expect(suppressionsFromEvents(events).map((s) => s.email)).toEqual(['bob@example.com']);
    const listed = { type: 'Permanent', diagnosticCode: ['smtp; 550 ADA@example.com unknown user.'], message: 'x' };
    expect((await parse(bounceTo(['ada@example.com', 'bob@example.com'], listed)))[0]!.recipient).toBe(
      'ada@example.com',
    );
  });

  it.each([
    ['both addresses', 'ada@example.com and bob@example.com bounced'],
    ['a longer address that contains one', '550 xada@example.com unknown'],
    ['a longer domain', '550 ada@example.com.evil unknown'],
    ['no address', 'mailbox unavailable'],
  ])('names nobody when the detail mentions %s', async (_, message) => {
    const events = await parse(bounceTo(['ada@example.com', 'bob@example.com'], { type: 'Permanent', message }));
    expect(events[0]!.recipient).toBe('');
    expect(suppressionsFromEvents(events)).toEqual([]);
  });

  it('keeps the single recipient of a one-address mail (also given as a string, or repeated)', async () => {
    for (const to of [['ada@example.com'], 'ada@example.com', ['ada@example.com', 'ADA@example.com']]) {
      const events = await parse(bounceTo(to));
      expect(suppressionsFromEvents(events).map((s) => s.email)).toEqual(['ada@example.com']);
    }
  });

  it('never suppresses an address the event does not name specifically (property)', async () => {
    const address = fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.constantFrom('example.com', 'example.org'))
      .map(([l, d]) => `${l}@${d}`);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(address, { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.boolean(),
        async (to, pick, nameOne) => {
          const named = to[pick % to.length]!;
          const message = nameOne ? `550 5.1.1 <${named}>: no such user` : '550 5.1.1 no such user';
          const suppressed = suppressionsFromEvents(await parse(bounceTo(to, { type: 'Permanent', message })));
          // The detail names one whole address (never a longer one that contains another: `aa@x` vs `a@x`).
          expect(suppressed.map((s) => s.email)).toEqual(nameOne ? [named] : []);
        },
      ),
      { numRuns: 60 },
    );
  });
});
