import {
  confirmSnsSubscription,
  isSnsUrl,
  parseSesWebhook,
  SNS_CERTIFICATE_CACHE_SIZE,
  type SnsCertificateCache,
} from '@bulwark/email/ses';
import { createTestServer } from '@bulwark/testing';
import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { suppressionsFromEvents } from '../src/index.js';
import { parseEmailWebhook } from '../src/webhooks.js';
import {
  bounceNotification,
  CERT_URL,
  complaintNotification,
  deliveryDelayEvent,
  deliveryEvent,
  notificationEnvelope,
  openEvent,
  otherEvents,
  subscriptionConfirmationEnvelope,
  TOPIC,
} from './fixtures/ses-events.js';
import { createSnsSigner } from './helpers/crypto.js';

const server = createTestServer();
let signer: Awaited<ReturnType<typeof createSnsSigner>>;
beforeAll(async () => {
  signer = await createSnsSigner();
});

const NOTIFIED_AT = Date.parse(notificationEnvelope({}).Timestamp);

/** The accepted topic, a clock at the fixtures' send time, a fresh cache and a fetcher serving the test certificate. */
function certificates(nowMs = NOTIFIED_AT) {
  const fetchCertificate = vi.fn(async (url: string) => {
    expect(url).toBe(CERT_URL);
    return signer.pem;
  });
  return {
    fetchCertificate,
    certificateCache: new Map() as SnsCertificateCache,
    allowedTopicArns: [TOPIC],
    clock: { now: () => nowMs },
  };
}

async function request(envelope: Record<string, string>, version: '1' | '2' = '1') {
  return {
    headers: { 'x-amz-sns-message-type': envelope.Type! },
    rawBody: JSON.stringify(await signer.sign(envelope, version)),
  };
}

describe('parseSesWebhook', () => {
  it('verifies SignatureVersion 1 and emits one bounce per recipient from the notificationType form', async () => {
    const options = certificates();
    const events = await parseEmailWebhook('ses', await request(notificationEnvelope(bounceNotification)), options);
    expect(events.map((e) => [e.type, e.recipient, e.bounce?.kind])).toEqual([
      ['bounced', 'jane@example.com', 'hard'],
      ['bounced', 'richard@example.com', 'hard'],
    ]);
    expect(events[0]).toMatchObject({
      provider: 'ses',
      providerMessageId: bounceNotification.mail.messageId,
      eventId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:jane@example.com',
      occurredAt: new Date('2016-01-27T14:59:38.237Z'),
      bounce: { code: '5.1.1', diagnostic: 'smtp; 550 5.1.1 <jane@example.com>... User' },
      metadata: {},
    });
    expect(suppressionsFromEvents(events).map((s) => s.email)).toEqual(['jane@example.com', 'richard@example.com']);
  });

  it('verifies SignatureVersion 2 and reads the eventType form with mail.tags as metadata', async () => {
    const options = certificates();
    const events = await parseSesWebhook(await request(notificationEnvelope(deliveryEvent), '2'), options);
    expect(events).toHaveLength(1);
    expect(events.subscriptionConfirmation).toBeUndefined();
    expect(events[0]).toMatchObject({
      type: 'delivered',
      recipient: 'recipient@example.com',
      occurredAt: new Date('2016-10-19T23:21:04.133Z'),
      metadata: { myCustomTag1: 'myCustomTagValue1', myCustomTag2: 'myCustomTagValue2' },
    });
  });

  it('reads complaints, delivery delays, opens and the other event types', async () => {
    const options = certificates();
    const parse = async (message: unknown) =>
      await parseSesWebhook(await request(notificationEnvelope(message)), options);
    expect((await parse(complaintNotification)).map((e) => [e.type, e.recipient])).toEqual([
      ['complained', 'richard@example.com'],
    ]);
    expect(await parse(deliveryDelayEvent)).toMatchObject([{ type: 'deferred', recipient: 'recipient@example.com' }]);
    expect(await parse(openEvent)).toMatchObject([
      { type: 'opened', occurredAt: new Date('2017-08-09T22:00:19.652Z') },
    ]);
    for (const [message, type] of otherEvents) expect((await parse(message))[0]!.type).toBe(type);
    expect(
      await parse({
        notificationType: 'Bounce',
        mail: bounceNotification.mail,
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'x@y.test' }] },
      }),
    ).toMatchObject([{ type: 'bounced', bounce: { kind: 'soft' }, occurredAt: new Date('2012-05-02T00:54:06.655Z') }]);
    expect(options.fetchCertificate).toHaveBeenCalledTimes(1);
  });

  it('surfaces a SubscriptionConfirmation and confirms it on an SNS host', async () => {
    const options = certificates(Date.parse(subscriptionConfirmationEnvelope.Timestamp));
    const result = await parseSesWebhook(await request(subscriptionConfirmationEnvelope), options);
    expect(result).toEqual([]);
    expect(JSON.stringify(result)).toBe('[]');
    expect(result.unsubscribeConfirmation).toBeUndefined();
    expect(result.subscriptionConfirmation).toEqual({
      type: 'SubscriptionConfirmation',
      topicArn: TOPIC,
      subscribeUrl: subscriptionConfirmationEnvelope.SubscribeURL,
      token: subscriptionConfirmationEnvelope.Token,
      message: subscriptionConfirmationEnvelope.Message,
      messageId: subscriptionConfirmationEnvelope.MessageId,
    });
    server.use(
      http.get('https://sns.us-west-2.amazonaws.com/', () => new HttpResponse('<ConfirmSubscriptionResponse/>')),
    );
    await confirmSnsSubscription(result.subscriptionConfirmation!);
    expect(server.calls[0]!.url).toBe(subscriptionConfirmationEnvelope.SubscribeURL);
    server.use(http.get('https://sns.us-west-2.amazonaws.com/', () => new HttpResponse('no', { status: 403 })));
    await expect(confirmSnsSubscription(result.subscriptionConfirmation!)).rejects.toMatchObject({
      code: 'email_webhook_malformed',
    });
    await expect(
      confirmSnsSubscription({ ...result.subscriptionConfirmation!, subscribeUrl: 'https://evil.example/?x' }),
    ).rejects.toMatchObject({ code: 'email_webhook_malformed' });
  });

  it.each([
    ['http scheme', CERT_URL.replace('https:', 'http:')],
    ['a foreign host', 'https://sns.us-west-2.amazonaws.com.evil.example/cert.pem'],
    ['a lookalike host', 'https://evilsns.us-west-2.amazonaws.com/cert.pem'],
    ['a non-pem path', 'https://sns.us-west-2.amazonaws.com/cert.txt'],
    ['an explicit port', 'https://sns.us-west-2.amazonaws.com:8443/cert.pem'],
    ['not a URL', 'sns.us-west-2.amazonaws.com/cert.pem'],
    ['an S3 bucket host named sns', 'https://sns.s3.amazonaws.com/cert.pem'],
    ['no region', 'https://sns.amazonaws.com/cert.pem'],
    ['an extra label', 'https://sns.us-west-2.evil.amazonaws.com/cert.pem'],
    ['the China domain for a global region', 'https://sns.us-west-2.amazonaws.com.cn/cert.pem'],
    ['the global domain for a China region', 'https://sns.cn-north-1.amazonaws.com/cert.pem'],
    ['a trailing dot', 'https://sns.us-west-2.amazonaws.com./cert.pem'],
  ])('refuses a SigningCertURL with %s before fetching', async (_, url) => {
    const options = certificates();
    const envelope = { ...notificationEnvelope(bounceNotification), SigningCertURL: url };
    await expect(parseSesWebhook(await request(envelope), options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    expect(options.fetchCertificate).not.toHaveBeenCalled();
  });

  it('refuses a tampered Message, a foreign topic and an unusable certificate', async () => {
    const options = certificates();
    const good = await request(notificationEnvelope(bounceNotification));
    const tampered = { ...good, rawBody: good.rawBody.replace('jane@example.com', 'eve@example.com') };
    await expect(parseSesWebhook(tampered, options)).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    await expect(
      parseSesWebhook(good, { ...options, allowedTopicArns: ['arn:aws:sns:us-east-1:111111111111:Other'] }),
    ).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const broken = {
      ...options,
      fetchCertificate: async () => 'not a pem ###',
      certificateCache: new Map() as SnsCertificateCache,
    };
    await expect(parseSesWebhook(good, broken)).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    expect(broken.certificateCache.size).toBe(0);
    const downgraded = { ...good, rawBody: good.rawBody.replace('"SignatureVersion":"1"', '"SignatureVersion":"2"') };
    expect(downgraded.rawBody).not.toBe(good.rawBody);
    await expect(parseSesWebhook(downgraded, options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const garbage = { ...good, rawBody: good.rawBody.replace(/"Signature":"[^"]+"/, '"Signature":"%%%"') };
    await expect(parseSesWebhook(garbage, options)).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
  });

  it('refuses messages older than maxAgeSec', async () => {
    const good = await request(notificationEnvelope(deliveryEvent));
    const sentAt = Date.parse('2012-05-02T00:54:06.655Z');
    const at = (ms: number) => ({ ...certificates(ms), maxAgeSec: 3600 });
    await expect(parseSesWebhook(good, at(sentAt + 3_600_000))).resolves.toMatchObject([{ type: 'delivered' }]);
    await expect(parseSesWebhook(good, at(sentAt + 3_600_001))).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('downloads the certificate with the injected fetch and caches it', async () => {
    server.use(http.get(CERT_URL, () => new HttpResponse(signer.pem)));
    const trust = { allowedTopicArns: [TOPIC], clock: { now: () => NOTIFIED_AT } };
    const options = { ...trust, certificateCache: new Map() as SnsCertificateCache };
    const good = await request(notificationEnvelope(deliveryEvent));
    await parseSesWebhook(good, options);
    await parseSesWebhook(good, options);
    expect(server.calls.filter((c) => c.url === CERT_URL)).toHaveLength(1);
    server.use(http.get(CERT_URL, () => new HttpResponse('gone', { status: 404 })));
    await expect(parseSesWebhook(good, { ...trust, certificateCache: new Map() })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('refuses unverifiable envelopes as unauthentic and authentic non-SES messages as malformed, emitting nothing', async () => {
    const options = certificates();
    await expect(parseSesWebhook({ headers: {}, rawBody: '{"Type":"Notification"}' }, options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const noToken = { ...subscriptionConfirmationEnvelope, Token: undefined } as unknown as Record<string, string>;
    await expect(
      parseSesWebhook({ headers: {}, rawBody: JSON.stringify({ ...noToken, Signature: 'x' }) }, options),
    ).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const notJson = await request({ ...notificationEnvelope({}), Message: 'Hello world!' });
    await expect(parseSesWebhook(notJson, options)).rejects.toMatchObject({ code: 'email_webhook_malformed' });
    const noMail = await request(notificationEnvelope({ notificationType: 'Bounce' }));
    await expect(parseSesWebhook(noMail, options)).rejects.toMatchObject({ code: 'email_webhook_malformed' });
  });

  it('keeps at most SNS_CERTIFICATE_CACHE_SIZE certificates, evicting the oldest', async () => {
    const certificateCache = new Map() as SnsCertificateCache;
    const fetchCertificate = vi.fn(async () => signer.pem);
    const signed = JSON.parse((await request(notificationEnvelope(deliveryEvent), '2')).rawBody) as object;
    const url = (i: number) => `https://sns.us-west-2.amazonaws.com/SimpleNotificationService-${i}.pem`;
    for (let i = 0; i <= SNS_CERTIFICATE_CACHE_SIZE; i++) {
      const rawBody = JSON.stringify({ ...signed, SigningCertURL: url(i) });
      // One new certificate a minute: within the download budget.
      const options = { ...certificates(NOTIFIED_AT + i * 60_000), fetchCertificate, certificateCache };
      await parseSesWebhook({ headers: {}, rawBody }, options);
    }
    expect(certificateCache.size).toBe(SNS_CERTIFICATE_CACHE_SIZE);
    expect(certificateCache.has(url(0))).toBe(false);
    expect(certificateCache.has(url(SNS_CERTIFICATE_CACHE_SIZE))).toBe(true);
    expect(fetchCertificate).toHaveBeenCalledTimes(SNS_CERTIFICATE_CACHE_SIZE + 1);
  });

  it('recognizes SNS URLs', () => {
    expect(isSnsUrl(CERT_URL)).toBe(true);
    expect(isSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe(true);
    expect(isSnsUrl('https://sns.cn-northwest-1.amazonaws.com.cn/x.pem')).toBe(true);
    expect(isSnsUrl('https://sns.us-gov-west-1.amazonaws.com/x.pem')).toBe(true);
    expect(isSnsUrl('https://sns.ap-southeast-2.amazonaws.com/x.pem')).toBe(true);
    expect(isSnsUrl('https://SNS.EU-WEST-1.AMAZONAWS.COM/x.pem')).toBe(true);
    expect(isSnsUrl('https://user:pw@sns.us-east-1.amazonaws.com/x.pem')).toBe(false);
  });
});
