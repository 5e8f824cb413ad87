import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import standardV1 from '../../../test-vectors/webhooks/standard-v1.json';
import { createWebhookSigner, STANDARD_HEADERS, sign, verify, verifyStandardWebhook } from '../src/index.js';
import { clockAt, NOW_SEC, rejection } from './helpers.js';

// The secret from the Standard Webhooks spec examples.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = '{"type":"email.delivered","data":{"email_id":"re_1"}}';

describe('Standard Webhooks mode', () => {
  it('verifies what the standardwebhooks library signs', async () => {
    const signature = new Webhook(SECRET).sign('msg_1', new Date(NOW_SEC * 1000), body);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW_SEC), 'webhook-signature': signature };
    const result = await verifyStandardWebhook({ headers, body, secrets: SECRET, clock: clockAt() });
    expect(result).toMatchObject({ scheme: 'standard', version: 'v1', id: 'msg_1', timestamp: NOW_SEC, keyId: '0' });
  });

  it('produces what the standardwebhooks library verifies', async () => {
    const headers = await sign({ scheme: 'standard', body, secrets: SECRET, id: 'msg_2' });
    expect(headers[STANDARD_HEADERS.signature]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(SECRET).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('matches the library byte for byte for the same inputs', async () => {
    const ours = await sign({ scheme: 'standard', body, secrets: SECRET, id: 'msg_3', timestamp: NOW_SEC });
    expect(ours[STANDARD_HEADERS.signature]).toBe(new Webhook(SECRET).sign('msg_3', new Date(NOW_SEC * 1000), body));
  });

  it('reads svix-* headers as Svix and Resend send them', async () => {
    const signature = new Webhook(SECRET).sign('msg_4', new Date(NOW_SEC * 1000), body);
    const headers = new Headers({ 'svix-id': 'msg_4', 'svix-timestamp': String(NOW_SEC), 'svix-signature': signature });
    await expect(verifyStandardWebhook({ headers, body, secrets: SECRET, clock: clockAt() })).resolves.toMatchObject({
      id: 'msg_4',
    });
  });

  it('accepts any of several signatures and secrets without a prefix', async () => {
    const other = new Webhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').sign('m', new Date(NOW_SEC * 1000), body);
    const good = new Webhook(SECRET).sign('m', new Date(NOW_SEC * 1000), body);
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(NOW_SEC),
      'webhook-signature': `${other} ${good}`,
    };
    await expect(
      verify({ scheme: 'standard', headers, body, secrets: SECRET.slice(6), clock: clockAt() }),
    ).resolves.toMatchObject({ id: 'm' });
  });

  it('signs with every secret during rotation', async () => {
    const signer = createWebhookSigner({
      scheme: 'standard',
      secrets: [SECRET, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      clock: clockAt(),
    });
    const headers = await signer.sign({ body, id: 'msg_5' });
    expect(headers[STANDARD_HEADERS.signature]!.split(' ')).toHaveLength(2);
    expect(headers[STANDARD_HEADERS.timestamp]).toBe(String(NOW_SEC));
  });

  it.each([
    ['missing id', { 'webhook-id': '' }, 'webhook_header_missing'],
    ['id with a space', { 'webhook-id': 'a b' }, 'webhook_header_malformed'],
    ['truncated signature', { 'webhook-signature': 'v1,AAAA' }, 'webhook_header_malformed'],
    ['bad base64', { 'webhook-signature': `v1,${'*'.repeat(44)}` }, 'webhook_header_malformed'],
    ['bulwark-style entry', { 'webhook-signature': `v1=${'a'.repeat(64)}` }, 'webhook_header_malformed'],
    ['unknown version', { 'webhook-signature': `v2,${'A'.repeat(43)}=` }, 'webhook_signature_mismatch'],
    ['millisecond timestamp', { 'webhook-timestamp': String(NOW_SEC * 1000) }, 'webhook_timestamp_invalid'],
  ])('rejects %s', async (_name, overrides, code) => {
    const headers = {
      ...(await sign({ scheme: 'standard', body, secrets: SECRET, timestamp: NOW_SEC })),
      ...overrides,
    };
    const error = await rejection(verifyStandardWebhook({ headers, body, secrets: SECRET, clock: clockAt() }));
    expect(error.code).toBe(code);
  });

  it('reports a missing webhook-signature when neither header family is present', async () => {
    const error = await rejection(verifyStandardWebhook({ headers: {}, body, secrets: SECRET, clock: clockAt() }));
    expect(error.code).toBe('webhook_header_missing');
  });
});

describe('the standardwebhooks library agrees with our Standard Webhooks vectors', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const positive = standardV1.cases.filter(
    (c) => c.expected.valid && 'body' in c && c.body !== undefined && 'webhook-signature' in c.headers,
  );

  it.each(positive.map((c) => [c.name, c] as const))('%s', (_name, vector) => {
    vi.useFakeTimers({ now: vector.now * 1000 });
    const secrets = (vector as { secrets: { secret: string }[] }).secrets;
    const accepted = secrets.some((s) => {
      try {
        // jsonParse: false — the library JSON-parses payloads by default, and the CRLF body is not JSON.
        new Webhook(s.secret).verify(vector.body as string, vector.headers as Record<string, string>, {
          jsonParse: false,
        });
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toBe(true);
  });

  it('covers the UTF-8 positive cases', () => {
    expect(positive.length).toBeGreaterThanOrEqual(6);
  });
});
