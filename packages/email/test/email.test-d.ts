import { describe, expectTypeOf, it } from 'vitest';
import type {
  EMAIL_EVENT_METRIC,
  EmailErrorCode,
  EmailEvent,
  EmailMetrics,
  EmailProvider,
  ParsedEmailWebhook,
  RejectedEmailEvent,
  SendResult,
  SnsSubscriptionConfirmation,
  SnsUnsubscribeConfirmation,
  WebhookSecrets,
} from '../src/index.js';
import { parseSesWebhook } from '../src/ses.js';
import { parseEmailWebhook } from '../src/webhooks.js';

const request = { headers: {}, rawBody: '' };

describe('types', () => {
  it('types parseEmailWebhook options per provider', () => {
    expectTypeOf(parseEmailWebhook('mailgun', request, { secrets: 'k' })).toEqualTypeOf<Promise<ParsedEmailWebhook>>();
    // @ts-expect-error: Postmark takes its credentials as `secrets`, not under another name
    parseEmailWebhook('postmark', request, { credentials: { username: 'u', password: 'p' } });
    // @ts-expect-error: not a supported provider
    parseEmailWebhook('sparkpost', request, {});
  });

  it('resolves to a read-only array of events that can carry the SES subscriptionConfirmation', async () => {
    expectTypeOf(parseEmailWebhook('sendgrid', request, { secrets: 'k' })).resolves.toExtend<readonly EmailEvent[]>();
    const topics = { allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:ses'] };
    expectTypeOf(parseSesWebhook(request, topics)).toEqualTypeOf<Promise<ParsedEmailWebhook>>();
    // @ts-expect-error: SES needs the accepted topics (or the explicit opt-out)
    parseSesWebhook(request);
    // @ts-expect-error: SES needs the accepted topics (or the explicit opt-out)
    parseEmailWebhook('ses', request, {});
    // @ts-expect-error: the opt-out must be literally `true`
    parseSesWebhook(request, { dangerouslyAllowAnyTopic: false });
    parseSesWebhook(request, { dangerouslyAllowAnyTopic: true });
    expectTypeOf<ParsedEmailWebhook['unsubscribeConfirmation']>().toEqualTypeOf<
      SnsUnsubscribeConfirmation | undefined
    >();
    expectTypeOf<ParsedEmailWebhook['rejected']>().toEqualTypeOf<readonly RejectedEmailEvent[]>();
    expectTypeOf<SnsUnsubscribeConfirmation>().not.toHaveProperty('subscribeUrl');
    expectTypeOf<ParsedEmailWebhook[number]>().toEqualTypeOf<EmailEvent>();
    expectTypeOf<ParsedEmailWebhook['subscriptionConfirmation']>().toEqualTypeOf<
      SnsSubscriptionConfirmation | undefined
    >();
    expectTypeOf<ParsedEmailWebhook>().not.toHaveProperty('events');
    const parsed = await parseEmailWebhook('ses', request, topics);
    if (parsed.subscriptionConfirmation) expectTypeOf(parsed.subscriptionConfirmation.subscribeUrl).toBeString();
    // @ts-expect-error: the events are read-only
    parsed.push(parsed[0]!);
    // @ts-expect-error: so is the confirmation
    parsed.subscriptionConfirmation = undefined;
  });

  it('takes the issue shape { secrets, clock } for every secret-based provider', () => {
    const clock = { now: () => 0 };
    const shared: WebhookSecrets<string> = { secrets: ['current', 'previous'], clock };
    parseEmailWebhook('resend', request, shared);
    parseEmailWebhook('sendgrid', request, shared);
    parseEmailWebhook('mailgun', request, shared);
    parseEmailWebhook('postmark', request, shared);
    parseEmailWebhook('postmark', request, { secrets: { username: 'u', password: 'p' }, clock });
    // @ts-expect-error: secrets are required
    parseEmailWebhook('resend', request, { clock });
    // @ts-expect-error: Postmark credentials are objects or 'user:pass' strings
    parseEmailWebhook('postmark', request, { secrets: 42 });
    // @ts-expect-error: SES is verified with AWS certificates and takes no secrets
    parseEmailWebhook('ses', request, { secrets: 'k' });
    // @ts-expect-error: the provider-specific spellings are gone; `secrets` is the one name
    parseEmailWebhook('resend', request, { secret: 'whsec_x' });
    // @ts-expect-error: the provider-specific spellings are gone; `secrets` is the one name
    parseEmailWebhook('mailgun', request, { signingKey: 'k' });
    // @ts-expect-error: the provider-specific spellings are gone; `secrets` is the one name
    parseEmailWebhook('sendgrid', request, { publicKey: 'k' });
  });

  it('takes an optional metrics sink for every provider, shaped like DeliveryMetrics.increment', () => {
    const metrics: EmailMetrics = { increment: (_name: string, _labels?: Readonly<Record<string, string>>) => {} };
    parseEmailWebhook('resend', request, { secrets: 'whsec_x', metrics });
    parseEmailWebhook('ses', request, { metrics, allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:ses'] });
    // @ts-expect-error: a sink needs `increment`
    parseEmailWebhook('mailgun', request, { secrets: 'k', metrics: { observe: () => {} } });
    expectTypeOf<typeof EMAIL_EVENT_METRIC>().toEqualTypeOf<'email.event'>();
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
