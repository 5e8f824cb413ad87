import { describe, expect, it } from 'vitest';
import type { EmailEvent, SnsSubscriptionConfirmation } from '../src/events.js';
import { parsedWebhook } from '../src/internal/parsed-webhook.js';

const event: EmailEvent = {
  type: 'delivered',
  provider: 'mailgun',
  recipient: 'ada@example.com',
  providerMessageId: 'm1',
  occurredAt: new Date(0),
  metadata: {},
  raw: {},
};

const confirmation: SnsSubscriptionConfirmation = {
  type: 'SubscriptionConfirmation',
  topicArn: 'arn:aws:sns:us-west-2:123456789012:ses',
  subscribeUrl: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription',
  token: 't',
  message: 'confirm',
  messageId: 'id',
};

describe('parsedWebhook(events, extras?)', () => {
  it('returns the events as a frozen plain array without a confirmation property', () => {
    const parsed = parsedWebhook([event]);
    expect(Array.isArray(parsed)).toBe(true);
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(parsed).toStrictEqual([event]);
    expect(Object.hasOwn(parsed, 'subscriptionConfirmation')).toBe(false);
    expect(parsed.subscriptionConfirmation).toBeUndefined();
    expect(parsed.unsubscribeConfirmation).toBeUndefined();
  });

  it('always carries a frozen, non-enumerable `rejected` list', () => {
    const parsed = parsedWebhook([event]);
    expect(parsed.rejected).toEqual([]);
    expect(Object.isFrozen(parsed.rejected)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(parsed, 'rejected')).toMatchObject({ enumerable: false, writable: false });
    expect(JSON.stringify(parsed)).not.toContain('rejected');
  });

  it('carries the confirmation as a non-enumerable, read-only property', () => {
    const parsed = parsedWebhook([], { subscriptionConfirmation: confirmation });
    expect(parsed.subscriptionConfirmation).toBe(confirmation);
    expect(Object.getOwnPropertyDescriptor(parsed, 'subscriptionConfirmation')).toMatchObject({
      enumerable: false,
      writable: false,
      configurable: false,
    });
    expect(JSON.stringify(parsed)).toBe('[]');
    expect([...parsed]).toEqual([]);
    expect(Object.keys(parsed)).toEqual([]);
    expect(parsed).toStrictEqual([]);
    expect(() => {
      (parsed as { subscriptionConfirmation?: unknown }).subscriptionConfirmation = undefined;
    }).toThrow(TypeError);
  });

  it('refuses changes to the events', () => {
    const parsed = parsedWebhook([event]);
    expect(() => (parsed as unknown as EmailEvent[]).push(event)).toThrow(TypeError);
    expect(parsed).toHaveLength(1);
  });
});
