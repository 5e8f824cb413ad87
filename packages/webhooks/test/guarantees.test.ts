import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhookVerifier, isWebhookVerificationError, sign } from '../src/index.js';
import { clockAt, NOW_SEC, rejection, SECRET } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const toSecret = (bytes: Uint8Array) => `whsec_${btoa(String.fromCharCode(...bytes))}`;

describe.each(['bulwark', 'standard'] as const)('guarantees (%s)', (scheme) => {
  const verifier = createWebhookVerifier({ scheme, secrets: SECRET, clock: clockAt(), crypto: 'webcrypto' });

  it('never accepts a message signed with any other secret', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 24, maxLength: 64 }), fc.string(), async (bytes, body) => {
        const other = toSecret(bytes);
        fc.pre(other !== SECRET);
        const headers = await sign({ scheme, body, secrets: other, timestamp: NOW_SEC, id: 'msg_1' });
        expect((await rejection(verifier.verify({ headers, body }))).code).toBe('webhook_signature_mismatch');
      }),
      { numRuns: 100 },
    );
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1.5, 7 * 24 * 3600 + 1])(
    'rejects tolerance %s, naming the option',
    (value) => {
      expect(() => createWebhookVerifier({ scheme, secrets: SECRET, tolerance: { pastSec: value } })).toThrow(
        /pastSec/,
      );
      expect(() => createWebhookVerifier({ scheme, secrets: SECRET, tolerance: { futureSec: value } })).toThrow(
        /futureSec/,
      );
    },
  );

  it('rejects hostile signature headers typed, before computing any MAC', async () => {
    const signed = await sign({ scheme, body: 'x', secrets: SECRET, timestamp: NOW_SEC, id: 'msg_1' });
    const name = scheme === 'bulwark' ? 'bulwark-signature' : 'webhook-signature';
    const v1 = scheme === 'bulwark' ? `v1=${'a'.repeat(64)}` : `v1,${'A'.repeat(43)}=`;
    const hostile = [
      'v1'.repeat(500_000), // ~1 MB
      Array.from({ length: 10_000 }, () => v1).join(' '), // many signatures
      scheme === 'bulwark' ? `v1=${'g'.repeat(64)}` : `v1,${'!'.repeat(43)}=`, // bad hex / base64
      scheme === 'bulwark' ? `v1=${'é'.repeat(64)}` : `v1,${'é'.repeat(43)}=`, // unicode
      '\u0000\u202e',
    ];
    const macs = vi.spyOn(globalThis.crypto.subtle, 'sign');
    for (const value of hostile) {
      const error = await rejection(verifier.verify({ headers: { ...signed, [name]: value }, body: 'x' }));
      expect(isWebhookVerificationError(error)).toBe(true);
      expect(['webhook_header_malformed', 'webhook_signature_mismatch']).toContain(error.code);
    }
    expect(macs).not.toHaveBeenCalled();
  });
});
