import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWebhookVerifier, isWebhookVerificationError, sign, type WebhookScheme } from '../src/index.js';
import { clockAt, NOW_SEC, SECRET } from './helpers.js';

const schemes: WebhookScheme[] = ['bulwark', 'standard'];
const SIGNATURE = { bulwark: 'bulwark-signature', standard: 'webhook-signature' } as const;
const ID = { bulwark: 'bulwark-nonce', standard: 'webhook-id' } as const;
const TIMESTAMP = { bulwark: 'bulwark-timestamp', standard: 'webhook-timestamp' } as const;

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe.each(schemes)('properties (%s)', (scheme) => {
  const verifier = createWebhookVerifier({ scheme, secrets: SECRET, clock: clockAt(), crypto: 'webcrypto' });
  const signFor = (body: Uint8Array, id = 'nonce_0123') =>
    sign({ scheme, body, secrets: SECRET, timestamp: NOW_SEC, id });

  it('rejects any single-byte change to the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, at, delta) => {
          const headers = await signFor(body);
          const tampered = body.slice();
          const i = at % body.length;
          tampered[i] = (tampered[i]! + delta) & 255;
          await expect(verifier.verify({ headers, body: tampered })).rejects.toMatchObject({
            code: 'webhook_signature_mismatch',
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects any single-character change to the signature, id/nonce or timestamp', async () => {
    const body = new TextEncoder().encode('{"a":1}');
    const headers = await signFor(body);
    const alphabet = 'abcdef0123456789ABCDEFXYZ_-+/=,. 9';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(SIGNATURE[scheme], ID[scheme], TIMESTAMP[scheme]),
        fc.nat(),
        fc.constantFrom(...alphabet),
        async (name, at, char) => {
          const value = headers[name]!;
          const i = at % value.length;
          fc.pre(value[i] !== char);
          const changed = { ...headers, [name]: replaceAt(value, i, char) };
          const error = await verifier.verify({ headers: changed, body }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isWebhookVerificationError(error)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a typed error on arbitrary headers and bodies', async () => {
    const headerValue = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(undefined),
      fc.integer() as fc.Arbitrary<unknown>,
    );
    const headers = fc.dictionary(
      fc.constantFrom(SIGNATURE[scheme], ID[scheme], TIMESTAMP[scheme], 'svix-signature', 'x-other'),
      headerValue,
    );
    const body = fc.oneof(fc.string(), fc.uint8Array(), fc.object() as fc.Arbitrary<unknown>, fc.constant(null));
    await fc.assert(
      fc.asyncProperty(headers, body, async (h, b) => {
        const error = await verifier.verify({ headers: h as never, body: b as never }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isWebhookVerificationError(error)).toBe(true);
      }),
      { numRuns: 300 },
    );
    // fast-check's object bodies are slow to generate on the edge runtime of a loaded CI host.
  }, 30_000);

  it('accepts every body it signed, byte-exact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 512 })), async (body) => {
        const headers = await sign({ scheme, body, secrets: SECRET, timestamp: NOW_SEC });
        await expect(verifier.verify({ headers, body })).resolves.toMatchObject({ timestamp: NOW_SEC });
      }),
      { numRuns: 100 },
    );
  });
});
