import { FakeClock } from '@bulwark/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInboundVerifier } from '../src/inbound.js';
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

describe('a forged Twilio form request', () => {
  it('parses the form fields exactly as a valid one does (the fields are what Twilio signs), and no more', async () => {
    const verifier = createInboundVerifier({ provider: 'twilio', secrets: SECRETS.twilio });
    const body = 'CallSid=CA1&From=%2B1555&Body=hi+there';
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': `${'A'.repeat(27)}=` };
    const decode = vi.spyOn(globalThis, 'decodeURIComponent');
    const error = await rejection(verifier.verify({ headers, body, url: 'https://h.example/sms' }));
    expect(error.code).toBe('webhook_signature_mismatch');
    expect(decode.mock.calls.length).toBe(6);
  });
});
