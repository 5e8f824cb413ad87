import { confirmSnsSubscription, parseSesWebhook, type SnsCertificateCache } from '@bulwark/email/ses';
import { createTestServer } from '@bulwark/testing';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type SnsSubscriptionConfirmation, suppressionsFromEvents } from '../src/index.js';
import { parseEmailWebhook } from '../src/webhooks.js';
import {
  complaintNotification,
  notificationEnvelope,
  TOPIC,
  unsubscribeConfirmationEnvelope,
} from './fixtures/ses-events.js';
import { createSnsSigner } from './helpers/crypto.js';

const server = createTestServer();
let signer: Awaited<ReturnType<typeof createSnsSigner>>;
beforeAll(async () => {
  signer = await createSnsSigner();
});

const SENT_AT = Date.parse(notificationEnvelope({}).Timestamp);

function certificates() {
  return { fetchCertificate: vi.fn(async () => signer.pem), certificateCache: new Map() as SnsCertificateCache };
}

async function signedRequest(envelope: Record<string, string>) {
  return { headers: {}, rawBody: JSON.stringify(await signer.sign(envelope, '2')) };
}

const complaintFrom = (topicArn: string) => ({ ...notificationEnvelope(complaintNotification), TopicArn: topicArn });
const topicArn = fc
  .tuple(
    fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-2'),
    fc.stringMatching(/^\d{12}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
  )
  .map(([region, account, name]) => `arn:aws:sns:${region}:${account}:${name}`);

describe('parseSesWebhook: whose topics are trusted', () => {
  it('refuses to run without allowedTopicArns: a signed message from any account would be accepted', async () => {
    const request = await signedRequest(complaintFrom('arn:aws:sns:us-east-1:999999999999:attacker'));
    const clock = { now: () => SENT_AT };
    for (const options of [undefined, {}, { ...certificates(), clock }, { allowedTopicArns: undefined }]) {
      await expect(parseSesWebhook(request, options as never)).rejects.toMatchObject({
        code: 'email_config_invalid',
        variable: 'allowedTopicArns',
      });
      await expect(parseEmailWebhook('ses', request, options as never)).rejects.toMatchObject({
        code: 'email_config_invalid',
      });
    }
  });

  it.each([
    ['an empty list', []],
    ['a blank entry', ['']],
    ['a topic name instead of an ARN', ['MyTopic']],
    ['an SQS ARN', ['arn:aws:sqs:us-east-1:123456789012:queue']],
    ['a wildcard', ['arn:aws:sns:*:123456789012:*']],
    ['a string instead of a list', TOPIC],
    ['a number in the list', [42]],
  ])('rejects allowedTopicArns given as %s', async (_, allowedTopicArns) => {
    const request = await signedRequest(complaintFrom(TOPIC));
    await expect(parseSesWebhook(request, { ...certificates(), allowedTopicArns } as never)).rejects.toMatchObject({
      code: 'email_config_invalid',
      variable: 'allowedTopicArns',
    });
  });

  it('no validly signed complaint from a topic outside the list reaches suppression (property)', async () => {
    const options = { ...certificates(), allowedTopicArns: [TOPIC], clock: { now: () => SENT_AT } };
    await fc.assert(
      fc.asyncProperty(topicArn, async (foreign) => {
        fc.pre(foreign !== TOPIC);
        let suppressed: string[] = [];
        await expect(
          parseSesWebhook(await signedRequest(complaintFrom(foreign)), options).then((events) => {
            suppressed = suppressionsFromEvents(events).map((s) => s.email);
          }),
        ).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
        expect(suppressed).toEqual([]);
      }),
      { numRuns: 25 },
    );
    const accepted = await parseSesWebhook(await signedRequest(complaintFrom(TOPIC)), options);
    expect(suppressionsFromEvents(accepted).map((s) => s.email)).toEqual(['richard@example.com']);
  });

  it('accepts any topic only with the loudly named dangerouslyAllowAnyTopic: true', async () => {
    const request = await signedRequest(complaintFrom('arn:aws:sns:us-east-1:999999999999:anyone'));
    const options = { ...certificates(), clock: { now: () => SENT_AT } };
    await expect(parseSesWebhook(request, { ...options, dangerouslyAllowAnyTopic: true })).resolves.toHaveLength(1);
    await expect(
      parseSesWebhook(request, { ...options, dangerouslyAllowAnyTopic: 'yes' } as never),
    ).rejects.toMatchObject({ code: 'email_config_invalid', variable: 'dangerouslyAllowAnyTopic' });
  });
});

describe('parseSesWebhook: SNS UnsubscribeConfirmation', () => {
  it('surfaces it apart from a SubscriptionConfirmation, and confirmSnsSubscription refuses it', async () => {
    const options = {
      ...certificates(),
      allowedTopicArns: [TOPIC],
      clock: { now: () => Date.parse(unsubscribeConfirmationEnvelope.Timestamp) },
    };
    const result = await parseSesWebhook(await signedRequest(unsubscribeConfirmationEnvelope), options);
    expect(result).toEqual([]);
    expect(result.subscriptionConfirmation).toBeUndefined();
    expect(result.unsubscribeConfirmation).toEqual({
      type: 'UnsubscribeConfirmation',
      topicArn: TOPIC,
      message: unsubscribeConfirmationEnvelope.Message,
      messageId: unsubscribeConfirmationEnvelope.MessageId,
    });
    expect(JSON.stringify(result.unsubscribeConfirmation)).not.toContain('Action=ConfirmSubscription');
    // A host that passes it on anyway (an old type, a cast) must not re-subscribe the endpoint.
    const resubscribe = {
      ...result.unsubscribeConfirmation,
      subscribeUrl: unsubscribeConfirmationEnvelope.SubscribeURL,
      token: unsubscribeConfirmationEnvelope.Token,
    } as unknown as SnsSubscriptionConfirmation;
    await expect(confirmSnsSubscription(resubscribe)).rejects.toMatchObject({ code: 'email_webhook_malformed' });
    expect(server.calls).toEqual([]);
  });
});

describe('parseSesWebhook: a forged request never costs more than a verified one', () => {
  it('downloads at most 8 new certificates a minute per cache, refusing the rest without a download', async () => {
    const certificateCache = new Map() as SnsCertificateCache;
    const fetchCertificate = vi.fn(async () => signer.pem);
    let now = SENT_AT;
    const options = { fetchCertificate, certificateCache, allowedTopicArns: [TOPIC], clock: { now: () => now } };
    const forged = (i: number) => ({
      headers: {},
      rawBody: JSON.stringify({
        ...complaintFrom(TOPIC),
        SignatureVersion: '2',
        Signature: 'AAAA',
        SigningCertURL: `https://sns.us-west-2.amazonaws.com/SimpleNotificationService-${i}.pem`,
      }),
    });
    const genuine = await signedRequest(complaintFrom(TOPIC));
    await expect(parseSesWebhook(genuine, options)).resolves.toHaveLength(1);
    for (let i = 0; i < 20; i++) {
      await expect(parseSesWebhook(forged(i), options)).rejects.toMatchObject({
        code: 'email_webhook_signature_invalid',
      });
    }
    expect(fetchCertificate).toHaveBeenCalledTimes(8);
    // The genuine certificate, cached, still verifies during the flood, without a download.
    await expect(parseSesWebhook(genuine, options)).resolves.toHaveLength(1);
    expect(fetchCertificate).toHaveBeenCalledTimes(8);
    // The budget is per minute.
    now += 60_000;
    await expect(parseSesWebhook(forged(99), options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    expect(fetchCertificate).toHaveBeenCalledTimes(9);
  });
});
