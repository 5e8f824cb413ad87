import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import {
  createInboundVerifier,
  INBOUND_PROVIDERS,
  type InboundProvider,
  type InboundVerifierOptions,
} from '../src/inbound.js';
import { createMemoryReplayStore, isWebhookError, WebhookReplayStoreError } from '../src/index.js';
import { rejection } from './helpers.js';
import { NOW_MS, NOW_SEC, OTHER_SECRETS, PROVIDERS, SECRETS, signFor, TIMESTAMPED, URL } from './inbound-helpers.js';

function verifierFor(provider: InboundProvider, options: Partial<InboundVerifierOptions> = {}) {
  return createInboundVerifier({ provider, secrets: SECRETS[provider], clock: new FakeClock(NOW_MS), ...options });
}

const json = '{"id":"evt_1","type":"invoice.paid"}';

describe('createInboundVerifier', () => {
  it('lists every provider', () => {
    expect([...INBOUND_PROVIDERS]).toEqual(['stripe', 'github', 'meta', 'shopify', 'slack', 'twilio', 'hubspot']);
  });

  it.each(PROVIDERS)('%s: verifies a signed delivery and reports what it knows', async (provider) => {
    const delivery = await signFor(provider, json);
    const result = await verifierFor(provider).verify(delivery);
    expect(result).toMatchObject({ provider, keyId: '0', body: delivery.body });
    expect(result.timestampMs).toBe(TIMESTAMPED.has(provider) ? NOW_MS : undefined);
    expect(Object.isFrozen(result)).toBe(true);
  });

  it.each(PROVIDERS)('%s: reports which secret of a rotation matched', async (provider) => {
    const verifier = verifierFor(provider, {
      secrets: [
        { id: 'old', secret: OTHER_SECRETS[provider] },
        { id: 'new', secret: SECRETS[provider] },
      ],
    });
    expect((await verifier.verify(await signFor(provider, json))).keyId).toBe('new');
    const bare = verifierFor(provider, { secrets: [OTHER_SECRETS[provider], SECRETS[provider]] });
    expect((await bare.verify(await signFor(provider, json))).keyId).toBe('1');
  });

  it.each(PROVIDERS)('%s: rejects a delivery signed with another secret', async (provider) => {
    const delivery = await signFor(provider, json, { secret: OTHER_SECRETS[provider] });
    const error = await rejection(verifierFor(provider).verify(delivery));
    expect(error.code).toBe('webhook_signature_mismatch');
  });

  it.each(PROVIDERS)('%s: accepts a Fetch Request (body, URL and method from the request)', async (provider) => {
    const { headers, body, url, method } = await signFor(provider, json);
    const request = new Request(url, { method, headers, body: body as Uint8Array<ArrayBuffer> });
    expect((await verifierFor(provider).verify(request)).keyId).toBe('0');
  });

  it.each([
    [{ provider: 'paypal' }, /`provider` to be one of stripe, github/],
    [{ provider: 'github', tolerance: { pastSec: 60 } }, /no `tolerance`: github signs no timestamp/],
    [{ provider: 'stripe', replayTtlSec: 60 }, /no `replayTtlSec`: stripe signs a timestamp/],
    [{ provider: 'github', replayStore: createMemoryReplayStore() }, /`replayTtlSec` with `replayStore`/],
    [{ provider: 'shopify', replayStore: createMemoryReplayStore(), replayTtlSec: 0 }, /`replayTtlSec`/],
    [{ provider: 'shopify', replayStore: createMemoryReplayStore(), replayTtlSec: Number.NaN }, /`replayTtlSec`/],
    [{ provider: 'stripe', publicOrigin: 'https://x.example' }, /no `publicOrigin`: stripe does not sign the URL/],
    [{ provider: 'twilio', publicOrigin: 'https://x.example/path' }, /`publicOrigin` to be an http\(s\) origin/],
    [{ provider: 'twilio', publicOrigin: 'ftp://x.example' }, /`publicOrigin`/],
    [{ provider: 'slack', tolerance: { pastSec: -1 } }, /tolerance.pastSec/],
    [{ provider: 'slack', tolerance: { futureSec: Number.POSITIVE_INFINITY } }, /tolerance.futureSec/],
    [{ provider: 'slack', secrets: [] }, /at least one secret/],
    [{ provider: 'slack', secrets: [{ id: '', secret: 'x' }] }, /`secrets\[0\]\.id`/],
    [
      {
        provider: 'slack',
        secrets: [
          { id: 'a', secret: 'x' },
          { id: 'a', secret: 'y' },
        ],
      },
      /Duplicate key id `a`/,
    ],
  ] as const)('validates options once, naming the option (%o)', (options, message) => {
    expect(() => createInboundVerifier({ secrets: 'whsec_x', ...options } as InboundVerifierOptions)).toThrow(message);
  });

  it('rejects a non-object options argument', () => {
    expect(() => createInboundVerifier(null as unknown as InboundVerifierOptions)).toThrow(TypeError);
  });

  it.each([
    ['stripe', 'sk_live_not_a_signing_secret', /starts with whsec_/],
    ['slack', '', /non-empty string/],
    ['slack', 'x'.repeat(1025), /at most 1024 bytes/],
    ['github', 42, /non-empty string/],
  ] as const)('%s: a malformed secret is webhook_secret_malformed without echoing it', (provider, secret, message) => {
    try {
      createInboundVerifier({ provider, secrets: secret as string });
      expect.unreachable();
    } catch (error) {
      expect(isWebhookError(error) && error.code).toBe('webhook_secret_malformed');
      expect(String((error as Error).message)).toMatch(message);
      if (typeof secret === 'string' && secret.length > 0) expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it('keys HMAC with secrets longer than one block (RFC 2104 hashes them first), on both engines', async () => {
    const secret = `whsec_${'k'.repeat(150)}`;
    const delivery = await signFor('stripe', json, { secret });
    for (const crypto of ['auto', 'webcrypto'] as const) {
      expect((await verifierFor('stripe', { secrets: secret, crypto }).verify(delivery)).keyId).toBe('0');
    }
  });

  it('reports a Stripe header with no v1 signature as a mismatch with a hint', async () => {
    const error = await rejection(
      verifierFor('stripe').verify({
        headers: { 'stripe-signature': `t=${NOW_SEC},v0=${'a'.repeat(64)}` },
        body: json,
      }),
    );
    expect(error).toMatchObject({ code: 'webhook_signature_mismatch', extensions: { hint: 'no_supported_version' } });
  });

  it('rejects input that is not a webhook', async () => {
    expect((await rejection(verifierFor('github').verify(null as never))).code).toBe('webhook_body_unsupported');
    const delivery = await signFor('github', json);
    const parsed = { headers: delivery.headers, body: { id: 'evt_1' } as never };
    expect((await rejection(verifierFor('github').verify(parsed))).code).toBe('webhook_body_unsupported');
  });
});

describe('the URL a scheme signs (Twilio, HubSpot)', () => {
  it.each(['twilio', 'hubspot'] as const)(
    '%s: no URL is webhook_url_unavailable (500: a server configuration problem)',
    async (provider) => {
      const { headers, body, method } = await signFor(provider, json);
      const error = await rejection(verifierFor(provider).verify({ headers, body, method }));
      expect(error).toMatchObject({ code: 'webhook_url_unavailable', status: 500 });
    },
  );

  it.each(['twilio', 'hubspot'] as const)('%s: a path needs publicOrigin', async (provider) => {
    const { headers, body, method } = await signFor(provider, json);
    const path = '/inbound?tenant=7';
    const bodyHashed =
      provider === 'twilio' ? `${path}&${new globalThis.URL(await signUrl(provider)).search.split('&')[1]}` : path;
    const without = await rejection(verifierFor(provider).verify({ headers, body, method, url: bodyHashed }));
    expect(without.code).toBe('webhook_url_unavailable');
    const behindProxy = verifierFor(provider, { publicOrigin: 'https://hooks.example.test' });
    expect((await behindProxy.verify({ headers, body, method, url: bodyHashed })).keyId).toBe('0');
    // An absolute URL with the server's own origin (behind a proxy) takes the public origin too.
    const internal = `http://10.0.0.7:8080${bodyHashed}`;
    expect((await behindProxy.verify({ headers, body, method, url: internal })).keyId).toBe('0');
  });

  it('hubspot: the method is signed and required', async () => {
    const { headers, body, url } = await signFor('hubspot', json);
    expect((await rejection(verifierFor('hubspot').verify({ headers, body, url }))).code).toBe(
      'webhook_url_unavailable',
    );
    const put = await rejection(verifierFor('hubspot').verify({ headers, body, url, method: 'PUT' }));
    expect(put.code).toBe('webhook_signature_mismatch');
  });

  it('twilio: a body the signature does not cover is refused', async () => {
    const { headers, url } = await signFor('twilio', json);
    const plain = { ...headers, 'content-type': 'text/plain' };
    const withoutHash = url.replace(/[?&]bodySHA256=[0-9a-f]+/, '');
    const error = await rejection(verifierFor('twilio').verify({ headers: plain, body: 'anything', url: withoutHash }));
    expect(error.code).toBe('webhook_body_unsupported');
  });

  it('twilio: rejects form bodies with more than 1000 fields or invalid UTF-8', async () => {
    const headers = { 'x-twilio-signature': `${'A'.repeat(27)}=`, 'content-type': 'application/x-www-form-urlencoded' };
    const many = Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&');
    expect((await rejection(verifierFor('twilio').verify({ headers, body: many, url: URL }))).code).toBe(
      'webhook_body_unsupported',
    );
    const invalid = new Uint8Array([0x61, 0x3d, 0xff]);
    expect((await rejection(verifierFor('twilio').verify({ headers, body: invalid, url: URL }))).code).toBe(
      'webhook_body_unsupported',
    );
  });
});

async function signUrl(provider: 'twilio' | 'hubspot'): Promise<string> {
  return (await signFor(provider, json)).url;
}

describe('replay protection', () => {
  it.each(PROVIDERS)('%s: a second acceptance of the same signed message is webhook_replayed', async (provider) => {
    const replayStore = createMemoryReplayStore();
    const verifier = verifierFor(provider, {
      replayStore,
      ...(TIMESTAMPED.has(provider) ? {} : { replayTtlSec: 3600 }),
    });
    const delivery = await signFor(provider, json);
    await verifier.verify(delivery);
    expect(await rejection(verifier.verify(delivery))).toMatchObject({ code: 'webhook_replayed', status: 409 });
    // Another message is not a replay.
    await verifier.verify(await signFor(provider, `${json} `));
    expect(replayStore.size).toBe(2);
  });

  it('keeps a timestamped scheme key for the tolerance window (past + future)', async () => {
    const claims: [string, number, number | undefined][] = [];
    const verifier = verifierFor('stripe', {
      replayStore: {
        claim: (key, ttlMs, nowMs) => {
          claims.push([key, ttlMs, nowMs]);
          return true;
        },
      },
      tolerance: { pastSec: 120, futureSec: 30 },
    });
    await verifier.verify(await signFor('stripe', json));
    expect(claims).toEqual([[expect.stringMatching(/^stripe:[0-9a-f]{64}$/), 150_000, NOW_MS]]);
  });

  it('keeps an untimestamped scheme key for replayTtlSec', async () => {
    const claims: number[] = [];
    const verifier = verifierFor('shopify', {
      replayStore: {
        claim: (_key, ttlMs) => {
          claims.push(ttlMs);
          return true;
        },
      },
      replayTtlSec: 86_400,
    });
    await verifier.verify(await signFor('shopify', json));
    expect(claims).toEqual([86_400_000]);
  });

  it('never records a forged message', async () => {
    const replayStore = createMemoryReplayStore();
    const verifier = verifierFor('slack', { replayStore });
    await rejection(verifier.verify(await signFor('slack', json, { secret: OTHER_SECRETS.slack })));
    expect(replayStore.size).toBe(0);
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('down'))],
  ] as const)('fails closed, typed and retryable, when the store %s', async (_how, claim) => {
    const verifier = verifierFor('slack', { replayStore: { claim } });
    const error = await rejection(verifier.verify(await signFor('slack', json)));
    expect(error).toMatchObject({ code: 'webhook_replay_store_unavailable', status: 503, retryable: true });
  });

  it("passes a store's own typed error through", async () => {
    const timeout = new WebhookReplayStoreError('webhook_replay_store_timeout');
    const verifier = verifierFor('hubspot', { replayStore: { claim: () => Promise.reject(timeout) } });
    const { headers, body, url, method } = await signFor('hubspot', json);
    expect(await rejection(verifier.verify({ headers, body, url, method }))).toBe(timeout);
  });
});
