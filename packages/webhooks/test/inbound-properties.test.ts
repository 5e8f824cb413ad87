import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInboundVerifier, type InboundProvider } from '../src/inbound.js';
import { isWebhookError } from '../src/index.js';
import { NOW_MS, PROVIDERS, SECRETS, SIGNATURE_HEADER, signFor, TIMESTAMPED } from './inbound-helpers.js';

const RUNS = 60;
const json = '{"id":"evt_1","type":"invoice.paid","amount":4200}';

function verifierFor(provider: InboundProvider) {
  return createInboundVerifier({ provider, secrets: SECRETS[provider], clock: new FakeClock(NOW_MS) });
}

/** Runs a verification and reports the outcome without throwing. */
async function outcome(
  promise: Promise<unknown>,
): Promise<{ valid: true } | { valid: false; typed: boolean; code: string | undefined }> {
  try {
    await promise;
    return { valid: true };
  } catch (error) {
    return { valid: false, typed: isWebhookError(error), code: (error as { code?: string }).code };
  }
}

/** Header values an attacker controls: unicode, control characters, separators, huge values. */
const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom('t', '=', ',', 'v', '1', '0', 'a', 'f', ' ', 's', 'h', '2', '5', '6', '+', '/'),
    maxLength: 120,
  }),
  fc.nat({ max: 200_000 }).map((n) => 'a'.repeat(n)),
  fc.constantFrom('', ' ', 'sha256=', 'v0=', 't=', 't=1700000000', 't=1700000000,v1=', '='.repeat(44)),
);

describe.each(PROVIDERS)('hostile input (%s)', (provider) => {
  const verifier = verifierFor(provider);

  it('never accepts, and fails only with typed errors, when the signature header is replaced', async () => {
    const delivery = await signFor(provider, json);
    await fc.assert(
      fc.asyncProperty(hostileValue, async (value) => {
        fc.pre(value !== delivery.headers[SIGNATURE_HEADER[provider]]);
        const headers = { ...delivery.headers, [SIGNATURE_HEADER[provider]]: value };
        const result = await outcome(verifier.verify({ ...delivery, headers }));
        expect(result).toMatchObject({ valid: false, typed: true });
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects a header sent twice as malformed, even when both copies are valid', async () => {
    const delivery = await signFor(provider, json);
    for (const name of Object.keys(delivery.headers)) {
      if (name === 'content-type') continue;
      const value = delivery.headers[name] as string;
      const headers = { ...delivery.headers, [name]: [value, value] };
      expect(await outcome(verifier.verify({ ...delivery, headers }))).toMatchObject({
        code: 'webhook_header_malformed',
      });
    }
  });

  it('rejects a header longer than 8 KiB as malformed', async () => {
    const delivery = await signFor(provider, json);
    const name = SIGNATURE_HEADER[provider];
    const headers = { ...delivery.headers, [name]: `${delivery.headers[name]}${'a'.repeat(8192)}` };
    expect(await outcome(verifier.verify({ ...delivery, headers }))).toMatchObject({
      code: 'webhook_header_malformed',
    });
  });

  it('reports every missing part as webhook_header_missing', async () => {
    const delivery = await signFor(provider, json);
    for (const name of Object.keys(delivery.headers)) {
      if (name === 'content-type') continue;
      const { [name]: _removed, ...headers } = delivery.headers;
      expect(await outcome(verifier.verify({ ...delivery, headers }))).toMatchObject({
        code: 'webhook_header_missing',
      });
    }
  });

  it('rejects any single-byte change to the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, at, flip) => {
          const delivery = await signFor(provider, body);
          const tampered = Uint8Array.from(body);
          tampered[at % body.length]! ^= flip;
          const result = await outcome(verifier.verify({ ...delivery, body: tampered }));
          expect(result).toMatchObject({ valid: false, typed: true });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('accepts every body it signed, byte-exact (any bytes, any length)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (body) => {
        const delivery = await signFor(provider, body);
        const result = await verifier.verify(delivery);
        expect(result.body).toBe(delivery.body);
      }),
      { numRuns: RUNS },
    );
  });
});

describe.each([...TIMESTAMPED])('the timestamp window (%s)', (provider) => {
  const verifier = verifierFor(provider);

  it('accepts exactly 300 s either side of now and rejects one second more', async () => {
    const at = async (nowSec: number) => outcome(verifier.verify(await signFor(provider, json, { nowSec })));
    const now = NOW_MS / 1000;
    expect(await at(now - 300)).toEqual({ valid: true });
    expect(await at(now + 300)).toEqual({ valid: true });
    expect(await at(now - 301)).toMatchObject({ code: 'webhook_timestamp_too_old' });
    expect(await at(now + 301)).toMatchObject({ code: 'webhook_timestamp_in_future' });
  });
});
