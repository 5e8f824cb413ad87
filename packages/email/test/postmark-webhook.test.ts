import { parsePostmarkWebhook } from '@bulwark/email/postmark';
import { describe, expect, it } from 'vitest';
import { createIpAllowlist } from '../src/index.js';
import { parseEmailWebhook } from '../src/webhooks.js';
import {
  bounceOfType,
  bounceRaw,
  clickRaw,
  deliveryRaw,
  openRaw,
  spamComplaintRaw,
  subscriptionChangeRaw,
} from './fixtures/postmark-events.js';

const credentials = { username: 'postmark', password: 's3cret-pa55' };
const auth = (user: string, pass: string) => ({ Authorization: `Basic ${btoa(`${user}:${pass}`)}` });
const request = (rawBody: string, headers: Record<string, string> = auth('postmark', 's3cret-pa55')) => ({
  headers,
  rawBody,
});

describe('parsePostmarkWebhook', () => {
  it('keeps the bounce ID exact although it exceeds Number.MAX_SAFE_INTEGER', async () => {
    expect(Number.isSafeInteger(Number('4323372036854775807'))).toBe(false);
    const events = await parseEmailWebhook('postmark', request(bounceRaw), { secrets: credentials });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'bounced',
      provider: 'postmark',
      recipient: 'john@example.com',
      providerMessageId: '883953f4-6105-42a2-a16a-77a8eac79483',
      eventId: '4323372036854775807',
      occurredAt: new Date('2019-11-05T16:33:54.907Z'),
      metadata: { a_key: 'a_value', b_key: 'b_value' },
      bounce: { kind: 'hard', code: 'HardBounce', diagnostic: 'Test bounce details' },
    });
    expect((events[0]!.raw as { ID: unknown }).ID).toBe('4323372036854775807');
  });

  it.each([
    ['SoftBounce', 'bounced', 'soft'],
    ['Transient', 'deferred', undefined],
    ['SpamNotification', 'complained', undefined],
    ['Unsubscribe', 'unsubscribed', undefined],
    ['ManuallyDeactivated', 'suppressed', undefined],
    ['AutoResponder', 'unknown', undefined],
    ['VirusNotification', 'bounced', 'undetermined'],
  ])('classifies bounce Type %s as %s', async (bounceType, type, kind) => {
    const events = await parsePostmarkWebhook(request(bounceOfType(bounceType)), { secrets: credentials });
    expect(events[0]!.type).toBe(type);
    expect(events[0]!.bounce?.kind).toBe(kind);
  });

  it.each([
    [deliveryRaw, 'delivered', 'john@example.com'],
    [spamComplaintRaw, 'complained', 'john@example.com'],
    [openRaw, 'opened', 'john@example.com'],
    [clickRaw, 'clicked', 'john@example.com'],
    [subscriptionChangeRaw, 'suppressed', 'bounced-address@wildbit.com'],
  ])('classifies by RecordType (%#)', async (raw, type, recipient) => {
    const events = await parsePostmarkWebhook(request(raw), { secrets: credentials });
    expect(events[0]).toMatchObject({ type, recipient });
  });

  it('classifies manual suppression as unsubscribed, reactivation and unknown records as unknown', async () => {
    const manual = subscriptionChangeRaw.replace('"HardBounce"', '"ManualSuppression"');
    expect((await parsePostmarkWebhook(request(manual), { secrets: credentials }))[0]!.type).toBe('unsubscribed');
    const reactivated = subscriptionChangeRaw.replace('"SuppressSending": true', '"SuppressSending": false');
    expect((await parsePostmarkWebhook(request(reactivated), { secrets: credentials }))[0]!.type).toBe('unknown');
    const inbound = deliveryRaw.replace('"Delivery"', '"SMTPApiError"');
    expect((await parsePostmarkWebhook(request(inbound), { secrets: credentials }))[0]).toMatchObject({
      type: 'unknown',
    });
  });

  it('rejects wrong, missing or malformed credentials in constant time', async () => {
    for (const headers of [
      auth('postmark', 'wrong'),
      auth('other', 's3cret-pa55'),
      {},
      { Authorization: 'Bearer x' },
      { Authorization: 'Basic %%%' },
    ]) {
      await expect(parsePostmarkWebhook(request(deliveryRaw, headers), { secrets: credentials })).rejects.toMatchObject(
        {
          code: 'email_webhook_signature_invalid',
        },
      );
    }
  });

  it('accepts any of several credentials while rotating', async () => {
    const rotating = [{ username: 'old', password: 'old-pass' }, credentials];
    await expect(parsePostmarkWebhook(request(deliveryRaw), { secrets: rotating })).resolves.toBeDefined();
  });

  it('enforces the optional IP allowlist', async () => {
    const options = { secrets: credentials, allowedIps: ['3.134.147.250', '50.31.156.6'] };
    await expect(
      parsePostmarkWebhook({ ...request(deliveryRaw), remoteAddress: '50.31.156.6' }, options),
    ).resolves.toBeDefined();
    await expect(
      parsePostmarkWebhook({ ...request(deliveryRaw), remoteAddress: '10.0.0.1' }, options),
    ).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    await expect(parsePostmarkWebhook(request(deliveryRaw), options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it('accepts CIDR ranges and IPv4-mapped IPv6 remote addresses', async () => {
    const options = { secrets: credentials, allowedIps: ['3.134.147.250', '50.31.156.0/24', '2001:db8::/32'] };
    const from = (remoteAddress: string) => parsePostmarkWebhook({ ...request(deliveryRaw), remoteAddress }, options);
    await expect(from('50.31.156.77')).resolves.toBeDefined();
    await expect(from('::ffff:50.31.156.77')).resolves.toBeDefined();
    await expect(from('2001:db8::5')).resolves.toBeDefined();
    await expect(from('50.31.157.1')).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    await expect(from('not-an-ip')).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
  });

  it('takes a compiled allowlist, and recompiles a plain list that changed', async () => {
    const compiled = createIpAllowlist(['50.31.156.0/24']);
    const at = (remoteAddress: string) => ({ ...request(deliveryRaw), remoteAddress });
    await expect(
      parsePostmarkWebhook(at('50.31.156.6'), { secrets: credentials, allowedIps: compiled }),
    ).resolves.toBeDefined();
    const allowedIps = ['50.31.156.6'];
    await expect(parsePostmarkWebhook(at('50.31.156.6'), { secrets: credentials, allowedIps })).resolves.toBeDefined();
    allowedIps[0] = '3.134.147.250';
    await expect(parsePostmarkWebhook(at('50.31.156.6'), { secrets: credentials, allowedIps })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    allowedIps.push('50.31.156.6');
    await expect(parsePostmarkWebhook(at('50.31.156.6'), { secrets: credentials, allowedIps })).resolves.toBeDefined();
  });

  it('refuses a malformed allowlist as a configuration error', async () => {
    const at = { ...request(deliveryRaw), remoteAddress: '50.31.156.6' };
    for (const allowedIps of [['50.31.156.0/33'], [], '50.31.156.6' as never]) {
      await expect(parsePostmarkWebhook(at, { secrets: credentials, allowedIps })).rejects.toMatchObject({
        code: 'email_config_invalid',
        variable: 'allowedIps',
      });
    }
  });

  it('refuses authentic but malformed bodies, emitting nothing', async () => {
    for (const raw of ['not json', '[]', '{"RecordType":"Delivery"}', '{"Recipient":"a@b.test"}']) {
      await expect(parsePostmarkWebhook(request(raw), { secrets: credentials })).rejects.toMatchObject({
        code: 'email_webhook_malformed',
      });
    }
    const bytes = new Uint8Array([0xff, 0xfe]);
    await expect(
      parsePostmarkWebhook({ headers: auth('postmark', 's3cret-pa55'), rawBody: bytes }, { secrets: credentials }),
    ).rejects.toMatchObject({
      code: 'email_webhook_malformed',
    });
  });
});
