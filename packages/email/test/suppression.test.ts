import { describe, expect, it } from 'vitest';
import { type EmailEvent, suppressionsFromEvents } from '../src/index.js';

const event = (type: EmailEvent['type'], recipient: string, at: number, bounce?: EmailEvent['bounce']): EmailEvent => ({
  type,
  provider: 'test',
  recipient,
  providerMessageId: 'm1',
  occurredAt: new Date(at),
  metadata: {},
  ...(bounce ? { bounce } : {}),
  raw: {},
});

describe('suppressionsFromEvents', () => {
  it('suppresses hard bounces and complaints, one entry per lower-cased address (earliest wins)', () => {
    const entries = suppressionsFromEvents([
      event('bounced', 'Jane@Example.com ', 2, { kind: 'hard' }),
      event('complained', 'jane@example.com', 1),
      event('bounced', 'soft@example.com', 1, { kind: 'soft' }),
      event('bounced', 'maybe@example.com', 1, { kind: 'undetermined' }),
      event('delivered', 'ok@example.com', 1),
      event('unsubscribed', 'bye@example.com', 1),
      event('suppressed', 'known@example.com', 1),
      event('bounced', '', 1, { kind: 'hard' }),
    ]);
    expect(entries).toEqual([
      {
        email: 'jane@example.com',
        reason: 'complaint',
        provider: 'test',
        providerMessageId: 'm1',
        occurredAt: new Date(1),
      },
      {
        email: 'known@example.com',
        reason: 'provider_suppressed',
        provider: 'test',
        providerMessageId: 'm1',
        occurredAt: new Date(1),
      },
    ]);
  });

  it('optionally includes unsubscribes and excludes provider suppressions', () => {
    const events = [event('unsubscribed', 'bye@example.com', 1), event('suppressed', 'known@example.com', 1)];
    expect(suppressionsFromEvents(events, { includeUnsubscribes: true, includeProviderSuppressed: false })).toEqual([
      expect.objectContaining({ email: 'bye@example.com', reason: 'unsubscribe' }),
    ]);
  });
});
