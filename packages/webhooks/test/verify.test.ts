import { describe, expect, it } from 'vitest';
import {
  BULWARK_HEADERS,
  createMemoryReplayStore,
  createWebhookVerifier,
  isWebhookVerificationError,
  sign,
  verify,
  WebhookVerificationError,
} from '../src/index.js';
import { clockAt, NEXT_SECRET, NOW_SEC, rejection, SECRET } from './helpers.js';

const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';

async function signed(overrides: Record<string, string> = {}, signBody: string | Uint8Array = body) {
  const headers = await sign({ body: signBody, secrets: SECRET, timestamp: NOW_SEC, id: 'nonce_1' });
  return { ...headers, ...overrides };
}

describe.each(['auto', 'webcrypto'] as const)('verify (bulwark v1, crypto: %s)', (cryptoPreference) => {
  const base = { secrets: SECRET, clock: clockAt(), crypto: cryptoPreference };

  it('accepts a signed message and reports timestamp, nonce and key id', async () => {
    const result = await verify({ ...base, headers: await signed(), body });
    expect(result).toMatchObject({ scheme: 'bulwark', version: 'v1', id: 'nonce_1', timestamp: NOW_SEC, keyId: '0' });
    expect(result.body).toBe(body);
  });

  it('signs the canonical string timestamp.nonce.hex(sha256(body))', async () => {
    const headers = await sign({ body: '', secrets: SECRET, timestamp: NOW_SEC, id: 'n', crypto: cryptoPreference });
    expect(headers[BULWARK_HEADERS.signature]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(headers[BULWARK_HEADERS.timestamp]).toBe(String(NOW_SEC));
  });

  it('takes bodies as string, Uint8Array, ArrayBuffer and DataView byte-exact', async () => {
    const bytes = new TextEncoder().encode(body);
    const headers = await signed();
    for (const input of [bytes, bytes.buffer, new DataView(bytes.buffer)]) {
      await expect(verify({ ...base, headers, body: input })).resolves.toMatchObject({ id: 'nonce_1' });
    }
  });

  it('verifies non-UTF-8 bytes exactly', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80]);
    const headers = await sign({ body: bytes, secrets: SECRET, timestamp: NOW_SEC, id: 'n' });
    await expect(verify({ ...base, headers, body: bytes })).resolves.toMatchObject({ id: 'n' });
    const mangled = new TextEncoder().encode(new TextDecoder().decode(bytes));
    expect((await rejection(verify({ ...base, headers, body: mangled }))).code).toBe('webhook_signature_mismatch');
  });

  it('reads WHATWG Headers, Node-style arrays and mixed-case records', async () => {
    const headers = await signed();
    await expect(verify({ ...base, headers: new Headers(headers), body })).resolves.toBeTruthy();
    const nodeStyle = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    await expect(verify({ ...base, headers: nodeStyle, body })).resolves.toBeTruthy();
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    await expect(verify({ ...base, headers: upper, body })).resolves.toBeTruthy();
  });

  it('accepts a Fetch Request directly', async () => {
    const request = new Request('http://127.0.0.1/hook', { method: 'POST', headers: await signed(), body });
    const result = await verify({ ...base, request });
    expect(new TextDecoder().decode(result.body as Uint8Array)).toBe(body);
    const verifier = createWebhookVerifier(base);
    const again = new Request('http://127.0.0.1/hook', { method: 'POST', headers: await signed(), body });
    await expect(verifier.verify(again)).resolves.toMatchObject({ id: 'nonce_1' });
  });

  it.each([
    ['missing timestamp', { [BULWARK_HEADERS.timestamp]: '' }, 'webhook_header_missing'],
    ['missing nonce', { [BULWARK_HEADERS.nonce]: '' }, 'webhook_header_missing'],
    ['missing signature', { [BULWARK_HEADERS.signature]: '' }, 'webhook_header_missing'],
    ['millisecond timestamp', { [BULWARK_HEADERS.timestamp]: String(NOW_SEC * 1000) }, 'webhook_timestamp_invalid'],
    ['non-numeric timestamp', { [BULWARK_HEADERS.timestamp]: '17e8' }, 'webhook_timestamp_invalid'],
    ['signed timestamp', { [BULWARK_HEADERS.timestamp]: `+${NOW_SEC}` }, 'webhook_timestamp_invalid'],
    ['nonce with a dot', { [BULWARK_HEADERS.nonce]: 'a.b' }, 'webhook_header_malformed'],
    ['truncated MAC', { [BULWARK_HEADERS.signature]: `v1=${'a'.repeat(63)}` }, 'webhook_header_malformed'],
    ['uppercase MAC', { [BULWARK_HEADERS.signature]: `v1=${'A'.repeat(64)}` }, 'webhook_header_malformed'],
    [
      'two spaces',
      { [BULWARK_HEADERS.signature]: `v1=${'a'.repeat(64)}  v1=${'b'.repeat(64)}` },
      'webhook_header_malformed',
    ],
    ['garbage entry', { [BULWARK_HEADERS.signature]: 'sha256:abc' }, 'webhook_header_malformed'],
    ['unknown version only', { [BULWARK_HEADERS.signature]: `v9=${'a'.repeat(64)}` }, 'webhook_signature_mismatch'],
    ['wrong MAC', { [BULWARK_HEADERS.signature]: `v1=${'a'.repeat(64)}` }, 'webhook_signature_mismatch'],
  ])('rejects %s', async (_name, overrides, code) => {
    const error = await rejection(verify({ ...base, headers: await signed(overrides), body }));
    expect(isWebhookVerificationError(error)).toBe(true);
    expect(error.code).toBe(code);
  });

  it('rejects a repeated header', async () => {
    const headers = { ...(await signed()), [BULWARK_HEADERS.timestamp]: [String(NOW_SEC), String(NOW_SEC)] };
    expect((await rejection(verify({ ...base, headers, body }))).code).toBe('webhook_header_malformed');
  });

  it('rejects a re-serialized body without a body-derived hint and no MAC in the error', async () => {
    const headers = await signed();
    const error = await rejection(verify({ ...base, headers, body: JSON.stringify(JSON.parse(body), null, 1) }));
    expect(error.code).toBe('webhook_signature_mismatch');
    expect(error.extensions).toEqual({});
    const mac = headers[BULWARK_HEADERS.signature]!.slice(3);
    expect(JSON.stringify(error)).not.toContain(mac);
    expect(String((error as Error).message)).not.toContain(mac);
  });

  it('rejects a parsed object body as unsupported', async () => {
    const error = await rejection(verify({ ...base, headers: await signed(), body: JSON.parse(body) }));
    expect(error.code).toBe('webhook_body_unsupported');
    expect(error.extensions).toEqual({ hint: 'body_parsed' });
  });

  it('rejects a wrong secret', async () => {
    const error = await rejection(verify({ ...base, secrets: NEXT_SECRET, headers: await signed(), body: 'x' }));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.code).toBe('webhook_signature_mismatch');
  });

  it("hints at the scheme when the other scheme's headers are present", async () => {
    const standard = { 'webhook-signature': 'v1,x' };
    const error = await rejection(verify({ ...base, headers: standard, body }));
    expect(error.code).toBe('webhook_header_missing');
    expect(error.extensions).toEqual({ hint: 'scheme_standard' });
    const reverse = await rejection(verify({ ...base, scheme: 'standard', headers: await signed(), body }));
    expect(reverse.extensions).toEqual({ hint: 'scheme_bulwark' });
    const none = await rejection(verify({ ...base, headers: {}, body }));
    expect(none.extensions).toEqual({});
  });
});

describe('tolerance and clock', () => {
  const at = (offsetSec: number, tolerance?: { pastSec?: number; futureSec?: number }) =>
    createWebhookVerifier({
      secrets: SECRET,
      clock: clockAt(NOW_SEC + offsetSec),
      ...(tolerance ? { tolerance } : {}),
    });

  it('accepts exactly pastSec old and rejects one second more', async () => {
    const headers = await signed();
    await expect(at(300).verify({ headers, body })).resolves.toBeTruthy();
    expect((await rejection(at(301).verify({ headers, body }))).code).toBe('webhook_timestamp_too_old');
  });

  it('accepts exactly futureSec ahead and rejects one second more', async () => {
    const headers = await signed();
    await expect(at(-300).verify({ headers, body })).resolves.toBeTruthy();
    expect((await rejection(at(-301).verify({ headers, body }))).code).toBe('webhook_timestamp_in_future');
  });

  it('honours a custom tolerance', async () => {
    const headers = await signed();
    expect((await rejection(at(11, { pastSec: 10 }).verify({ headers, body }))).code).toBe('webhook_timestamp_too_old');
    expect((await rejection(at(-6, { futureSec: 5 }).verify({ headers, body }))).code).toBe(
      'webhook_timestamp_in_future',
    );
  });

  it('validates options once, naming the option', () => {
    expect(() => createWebhookVerifier({ secrets: SECRET, tolerance: { pastSec: -1 } })).toThrow(/tolerance\.pastSec/);
    expect(() => createWebhookVerifier({ secrets: SECRET, tolerance: { futureSec: 1.5 } })).toThrow(
      /tolerance\.futureSec/,
    );
    expect(() => createWebhookVerifier({})).toThrow(/secrets/);
    expect(() => createWebhookVerifier({ secrets: [] })).toThrow(/secrets/);
    expect(() => createWebhookVerifier({ secrets: SECRET, scheme: 'x' as never })).toThrow(/scheme/);
    expect(() => createWebhookVerifier({ secrets: SECRET, publicKeys: 'x' })).toThrow(/publicKeys/);
  });

  it('rejects malformed input objects with a typed error', async () => {
    const verifier = at(0);
    expect((await rejection(verifier.verify(null as never))).code).toBe('webhook_body_unsupported');
    expect((await rejection(verifier.verify({ headers: null as never, body }))).code).toBe('webhook_header_malformed');
    expect((await rejection(verifier.verify({ headers: { 'bulwark-timestamp': 5 as never }, body }))).code).toBe(
      'webhook_header_malformed',
    );
    expect((await rejection(verifier.verify({ headers: {}, body: 5 as never }))).code).toBe('webhook_body_unsupported');
  });

  it('rejects a one-shot verify with bad options as a rejected promise', async () => {
    await expect(verify({ headers: {}, body, secrets: 'short' })).rejects.toMatchObject({
      code: 'webhook_secret_malformed',
    });
  });
});

describe('edge cases', () => {
  it('rejects more than 16 signatures as malformed', async () => {
    const many = Array.from({ length: 17 }, () => `v1=${'a'.repeat(64)}`).join(' ');
    const headers = { ...(await signed()), [BULWARK_HEADERS.signature]: many };
    const error = await rejection(verify({ secrets: SECRET, clock: clockAt(), headers, body }));
    expect(error.code).toBe('webhook_header_malformed');
  });

  it('hints at the standard scheme when only svix-* headers are present', async () => {
    const error = await rejection(
      verify({ secrets: SECRET, clock: clockAt(), headers: { 'svix-signature': 'v1,x' }, body }),
    );
    expect(error.extensions).toEqual({ hint: 'scheme_standard' });
  });

  it('awaits asynchronous replay stores', async () => {
    const seen = new Set<string>();
    const replayStore = {
      claim: async (key: string) => {
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
    };
    const verifier = createWebhookVerifier({ secrets: SECRET, clock: clockAt(), replayStore });
    const headers = await signed();
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({ id: 'nonce_1' });
    expect((await rejection(verifier.verify({ headers, body }))).code).toBe('webhook_replayed');
  });
});

describe('replay protection', () => {
  it('rejects a second delivery of the same nonce within the window, then forgets it', async () => {
    const clock = clockAt();
    const replayStore = createMemoryReplayStore({ clock });
    const verifier = createWebhookVerifier({ secrets: SECRET, clock, replayStore });
    const headers = await signed();
    await verifier.verify({ headers, body });
    expect((await rejection(verifier.verify({ headers, body }))).code).toBe('webhook_replayed');
    expect(replayStore.size).toBe(1);
    clock.advance(601_000);
    const fresh = await sign({ body, secrets: SECRET, timestamp: NOW_SEC + 601, id: 'nonce_1' });
    await expect(verifier.verify({ headers: fresh, body })).resolves.toBeTruthy();
  });

  it('does not record forged messages', async () => {
    const replayStore = createMemoryReplayStore({ clock: clockAt() });
    const verifier = createWebhookVerifier({ secrets: SECRET, clock: clockAt(), replayStore });
    await rejection(verifier.verify({ headers: await signed(), body: 'forged' }));
    expect(replayStore.size).toBe(0);
  });
});
