import { isBulwarkError } from '@bulwark/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhookVerifier, isWebhookError, isWebhookVerificationError, sign } from '../src/index.js';
import { clockAt, NEXT_SECRET, NOW_SEC, rejection, SECRET } from './helpers.js';

const json = JSON.stringify({
  type: 'invoice.paid',
  data: { id: 'in_1', lines: Array.from({ length: 50 }, (_, i) => i) },
});
const bytes = new TextEncoder().encode(json);

/** Counts the body-sized work a failure path must not do: decoding and parsing the body. */
function spyBodyWork() {
  const parse = vi.spyOn(JSON, 'parse');
  const decode = vi.spyOn(TextDecoder.prototype, 'decode');
  return () => parse.mock.calls.length + decode.mock.calls.length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each([
  ['bulwark', 'auto'],
  ['bulwark', 'webcrypto'],
  ['standard', 'auto'],
  ['standard', 'webcrypto'],
] as const)('a forged request (scheme %s, crypto %s)', (scheme, crypto) => {
  const verifier = createWebhookVerifier({ scheme, secrets: SECRET, clock: clockAt(), crypto });

  it.each([
    ['string', json],
    ['bytes', bytes],
  ] as const)('is rejected without decoding or parsing a JSON body (%s)', async (_kind, body) => {
    // Signed with another secret: well-formed, wrong MAC; the body is valid JSON.
    const headers = await sign({ scheme, body: json, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'forged_1' });
    const work = spyBodyWork();
    const error = await rejection(verifier.verify({ headers, body }));
    expect(error.code).toBe('webhook_signature_mismatch');
    expect(work()).toBe(0);
  });

  it('carries no re-serialization hint: a wrong secret is not diagnosable from the body', async () => {
    const headers = await sign({ scheme, body: json, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'forged_2' });
    const error = await rejection(verifier.verify({ headers, body: json }));
    expect(error.extensions).toEqual({});
  });

  it('costs no more body work than the valid request', async () => {
    const headers = await sign({ scheme, body: json, secrets: SECRET, timestamp: NOW_SEC, id: 'valid_1' });
    const work = spyBodyWork();
    await verifier.verify({ headers, body: bytes });
    const valid = work();
    const forged = await sign({ scheme, body: json, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'forged_3' });
    await rejection(verifier.verify({ headers: forged, body: bytes }));
    expect(work() - valid).toBeLessThanOrEqual(valid);
  });
});

describe('the failure path does no MAC work the valid path does not', () => {
  it('computes exactly as many HMACs for a forged request as for a valid one (Web Crypto)', async () => {
    const verifier = createWebhookVerifier({
      scheme: 'standard',
      secrets: [SECRET, NEXT_SECRET],
      clock: clockAt(),
      crypto: 'webcrypto',
    });
    const sign_ = vi.spyOn(globalThis.crypto.subtle, 'sign');
    // Matches the second key: both keys are MACed, as for a forgery that matches none.
    const valid = await sign({ scheme: 'standard', body: json, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'v_1' });
    const forgedHeaders = { ...valid, 'webhook-signature': `v1,${btoa('x'.repeat(32))}` };
    sign_.mockClear();
    await verifier.verify({ headers: valid, body: bytes });
    const validMacs = sign_.mock.calls.length;
    sign_.mockClear();
    await rejection(verifier.verify({ headers: forgedHeaders, body: bytes }));
    expect(validMacs).toBe(2);
    expect(sign_.mock.calls.length).toBe(validMacs);
  });
});

describe('verification errors', () => {
  it('are branded by their classes, not per instance: construction defines no symbol property', async () => {
    const verifier = createWebhookVerifier({ secrets: SECRET, clock: clockAt() });
    const headers = await sign({ body: json, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'forged_5' });
    const error = (await rejection(verifier.verify({ headers, body: json }))) as object;
    expect(isWebhookVerificationError(error)).toBe(true);
    expect(isWebhookError(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toMatchObject({
      value: 'WebhookVerificationError',
      enumerable: true,
    });
  });

  it('capture no stack trace at all (the cost of a forged request) and leave Error.stackTraceLimit as it was', async () => {
    const limit = (Error as { stackTraceLimit?: number }).stackTraceLimit;
    const verifier = createWebhookVerifier({ secrets: SECRET, clock: clockAt() });
    const headers = await sign({ body: json, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'forged_4' });
    const error = (await rejection(verifier.verify({ headers, body: json }))) as Error & { code: string };
    expect(error.code).toBe('webhook_signature_mismatch');
    // Not even the empty trace (and own `stack` text) that Error.stackTraceLimit = 0 still builds.
    expect(error.stack).toBeUndefined();
    expect(String(error)).toBe('WebhookVerificationError: No signature matched any live key');
    expect((Error as { stackTraceLimit?: number }).stackTraceLimit).toBe(limit);
    expect(new Error('still traced').stack).toMatch(/\n\s+at /);
  });
});
