import { describe, expectTypeOf, it } from 'vitest';
import {
  type EmailErrorCode,
  type EmailEvent,
  type EmailProvider,
  type ParsedEmailWebhook,
  parseEmailWebhook,
  type SendResult,
} from '../src/index.js';

const request = { headers: {}, rawBody: '' };

describe('types', () => {
  it('types parseEmailWebhook options per provider', () => {
    expectTypeOf(parseEmailWebhook('mailgun', request, { signingKey: 'k' })).toEqualTypeOf<
      Promise<ParsedEmailWebhook>
    >();
    expectTypeOf(parseEmailWebhook('sendgrid', request, { publicKey: 'k' })).resolves.toHaveProperty('events');
    // @ts-expect-error: Postmark needs credentials, not a signing key
    parseEmailWebhook('postmark', request, { signingKey: 'k' });
    // @ts-expect-error: not a supported provider
    parseEmailWebhook('sparkpost', request, {});
  });

  it('exposes the taxonomy as a closed union and send results as data', () => {
    expectTypeOf<'email_timeout'>().toExtend<EmailErrorCode>();
    expectTypeOf<'email_webhook_malformed'>().not.toExtend<EmailErrorCode>();
    expectTypeOf<ReturnType<EmailProvider['send']>>().toEqualTypeOf<Promise<SendResult>>();
    expectTypeOf<EmailEvent['type']>().toEqualTypeOf<
      | 'sent'
      | 'delivered'
      | 'deferred'
      | 'bounced'
      | 'complained'
      | 'opened'
      | 'clicked'
      | 'unsubscribed'
      | 'suppressed'
      | 'failed'
      | 'unknown'
    >();
  });
});
