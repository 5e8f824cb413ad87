import { FakeClock } from '@bulwark/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInboundVerifier } from '../src/inbound.js';
import { selectEngine } from '../src/internal/crypto-engine.js';
import { rejection } from './helpers.js';
import { NOW_MS, OTHER_SECRETS, PROVIDERS, SECRETS, signFor } from './inbound-helpers.js';

const json = JSON.stringify({
  type: 'invoice.paid',
  data: { id: 'in_1', lines: Array.from({ length: 50 }, (_, i) => i) },
});

/** Counts the body-sized work a failure path must not do: decoding and parsing the body. */
function spyBodyWork() {
  const parse = vi.spyOn(JSON, 'parse');
  const decode = vi.spyOn(TextDecoder.prototype, 'decode');
  return () => parse.mock.calls.length + decode.mock.calls.length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(PROVIDERS.flatMap((p) => [[p, 'auto'] as const, [p, 'webcrypto'] as const]))(
  'a forged request (%s, crypto %s)',
  (provider, crypto) => {
    const verifier = createInboundVerifier({
      provider,
      secrets: SECRETS[provider],
      clock: new FakeClock(NOW_MS),
      crypto,
    });

    it('is rejected without decoding or parsing the body, and costs no more body work than a valid one', async () => {
      const valid = await signFor(provider, json);
      const forged = await signFor(provider, json, { secret: OTHER_SECRETS[provider] });
      const work = spyBodyWork();
      await verifier.verify(valid);
      const validWork = work();
      const error = await rejection(verifier.verify(forged));
      expect(error.code).toBe('webhook_signature_mismatch');
      expect(work() - validWork).toBe(0);
      expect(error.extensions).toEqual({});
    });
  },
);

describe('a forged Twilio request', () => {
  it.each(['auto', 'webcrypto'] as const)(
    'computes as many MACs as a valid one: both URL variants, every time (crypto %s)',
    async (crypto) => {
      const spy = vi.spyOn(selectEngine(crypto), 'hmacSha1');
      const verifier = createInboundVerifier({ provider: 'twilio', secrets: SECRETS.twilio, crypto });
      await verifier.verify(await signFor('twilio', json));
      const valid = spy.mock.calls.length;
      expect(valid).toBe(2);
      await rejection(verifier.verify(await signFor('twilio', json, { secret: OTHER_SECRETS.twilio })));
      expect(spy.mock.calls.length - valid).toBe(valid);
    },
  );
});

describe('a forged Twilio form request', () => {
  it('parses the form fields exactly as a valid one does (the fields are what Twilio signs), and no more', async () => {
    const verifier = createInboundVerifier({ provider: 'twilio', secrets: SECRETS.twilio });
    const body = 'CallSid=CA1&From=%2B1555&Body=hi+there';
    const url = 'https://h.example/sms';
    const fields = { CallSid: 'CA1', From: '+1555', Body: 'hi there' };
    const decode = vi.spyOn(globalThis, 'decodeURIComponent');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const valid = { ...form, 'x-twilio-signature': await twilioSignature(SECRETS.twilio, url, fields) };
    await verifier.verify({ headers: valid, body, url });
    const validCalls = decode.mock.calls.length;
    expect(validCalls).toBe(1); // only the value with a percent-escape ('+' alone is replaced, not decoded)
    const forged = { ...form, 'x-twilio-signature': await twilioSignature(OTHER_SECRETS.twilio, url, fields) };
    const error = await rejection(verifier.verify({ headers: forged, body, url }));
    expect(error.code).toBe('webhook_signature_mismatch');
    expect(decode.mock.calls.length - validCalls).toBe(validCalls);
  });
});

/** Twilio's signature for form fields: base64 HMAC-SHA1 of the URL and the sorted name+value pairs. */
async function twilioSignature(token: string, url: string, fields: Record<string, string>): Promise<string> {
  const data =
    url +
    Object.keys(fields)
      .sort()
      .map((k) => k + fields[k])
      .join('');
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(token),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data)));
  return btoa(String.fromCharCode(...mac));
}
