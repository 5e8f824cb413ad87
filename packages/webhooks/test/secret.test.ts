import { describe, expect, it } from 'vitest';
import { createKeyring, generateSecret, isWebhookSecretError, parseSecret, sign, verify } from '../src/index.js';
import { clockAt, NEXT_SECRET, NOW_SEC, rejection, SECRET } from './helpers.js';

describe('secrets', () => {
  it('generates 32-byte whsec_ secrets by default and other lengths on request', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSecret(secret).byteLength).toBe(32);
    expect(parseSecret(generateSecret({ bytes: 64 })).byteLength).toBe(64);
    expect(() => generateSecret({ bytes: 16 })).toThrow(/bytes/);
  });

  it.each([
    ['too short', `whsec_${btoa('x'.repeat(23))}`],
    ['too long', btoa('x'.repeat(65))],
    ['not base64', 'whsec_!!!!'],
    ['whitespace', `whsec_ ${btoa('x'.repeat(24))}`],
    ['missing padding', btoa('x'.repeat(25)).replace(/=+$/, '')],
    ['non-canonical bits', `${btoa('x'.repeat(25)).slice(0, -2)}B=`],
    ['url-safe alphabet', `whsec_${btoa('\xff'.repeat(24)).replace(/\//g, '_')}`],
    ['one byte', new Uint8Array(1)],
    ['a number', 42 as never],
  ])('rejects a secret that is %s', (_name, input) => {
    let thrown: unknown;
    try {
      parseSecret(input);
    } catch (error) {
      thrown = error;
    }
    expect(isWebhookSecretError(thrown)).toBe(true);
    expect((thrown as { code: string }).code).toBe('webhook_secret_malformed');
    if (typeof input === 'string') expect(String((thrown as Error).message)).not.toContain(input);
  });

  it('accepts raw bytes and keeps its own copy', () => {
    const bytes = new Uint8Array(24).fill(1);
    const secret = parseSecret(bytes, { id: 'raw' });
    bytes.fill(0);
    expect(secret.id).toBe('raw');
    expect(parseSecret(secret)).toBe(secret);
    expect(parseSecret(secret, { id: 'other' }).id).toBe('other');
  });

  it('redacts itself in toString, JSON and inspect', () => {
    const secret = parseSecret(SECRET);
    const raw = SECRET.slice(6);
    expect(String(secret)).not.toContain(raw);
    expect(JSON.stringify({ secret })).not.toContain(raw);
    const custom = (secret as unknown as Record<symbol, () => string>)[Symbol.for('nodejs.util.inspect.custom')]!;
    expect(custom.call(secret)).toBe('[redacted WebhookSecret]');
  });
});

describe('keyring rotation', () => {
  const body = 'payload';
  const rotateAt = (NOW_SEC + 3600) * 1000;
  const keyring = createKeyring([
    { id: 'old', secret: SECRET, notAfter: rotateAt },
    { id: 'new', secret: NEXT_SECRET, notBefore: new Date(NOW_SEC * 1000 - 1) },
  ]);

  it('signs with every live key during the overlap and reports which one matched', async () => {
    const headers = await sign({ body, secrets: keyring, clock: clockAt(), id: 'n' });
    expect(headers['bulwark-signature']!.split(' ')).toHaveLength(2);
    const onlyNew = await verify({
      headers,
      body,
      secrets: [parseSecret(NEXT_SECRET, { id: 'new' })],
      clock: clockAt(),
    });
    expect(onlyNew.keyId).toBe('new');
    const both = await verify({ headers, body, secrets: keyring, clock: clockAt() });
    expect(both.keyId).toBe('old');
  });

  it('retires the old key after notAfter', async () => {
    const later = clockAt(NOW_SEC + 3600);
    const oldOnly = await sign({ body, secrets: SECRET, clock: later, id: 'n' });
    expect((await rejection(verify({ headers: oldOnly, body, secrets: keyring, clock: later }))).code).toBe(
      'webhook_signature_mismatch',
    );
    const headers = await sign({ body, secrets: keyring, clock: later, id: 'n' });
    expect(headers['bulwark-signature']!.split(' ')).toHaveLength(1);
    expect((await verify({ headers, body, secrets: keyring, clock: later })).keyId).toBe('new');
  });

  it('lists ids and validates entries', () => {
    expect(keyring.ids).toEqual(['old', 'new']);
    expect(() => createKeyring([])).toThrow(/entries/);
    expect(() => createKeyring([{ id: '', secret: SECRET }])).toThrow(/id/);
    expect(() =>
      createKeyring([
        { id: 'a', secret: SECRET },
        { id: 'a', secret: SECRET },
      ]),
    ).toThrow(/Duplicate/);
    expect(() => createKeyring([{ id: 'a', secret: SECRET, notBefore: 5, notAfter: 5 }])).toThrow(/notBefore/);
    expect(() => createKeyring([{ id: 'a', secret: SECRET, notAfter: Number.NaN }])).toThrow(/notAfter/);
  });

  it('refuses to sign when no key is live', async () => {
    const expired = createKeyring([{ id: 'a', secret: SECRET, notAfter: 1 }]);
    await expect(sign({ body, secrets: expired, clock: clockAt() })).rejects.toThrow(/No live key/);
  });
});

describe('sign options', () => {
  it('rejects invalid timestamps, ids and schemes', async () => {
    await expect(sign({ body: 'x', secrets: SECRET, timestamp: 1.5 })).rejects.toThrow(/timestamp/);
    await expect(sign({ body: 'x', secrets: SECRET, timestamp: NOW_SEC * 1000 })).rejects.toThrow(/timestamp/);
    await expect(sign({ body: 'x', secrets: SECRET, id: 'a.b' })).rejects.toThrow(/id/);
    await expect(sign({ body: 'x', secrets: SECRET, scheme: 'standard', id: 'a b' })).rejects.toThrow(/id/);
    await expect(sign({ body: 'x', secrets: SECRET, scheme: 'nope' as never })).rejects.toThrow(/scheme/);
    await expect(sign({ body: 'x' })).rejects.toThrow(/secrets/);
  });

  it('takes a Date timestamp and generates random nonces', async () => {
    const a = await sign({ body: 'x', secrets: SECRET, timestamp: new Date(NOW_SEC * 1000 + 999) });
    const b = await sign({ body: 'x', secrets: SECRET });
    expect(a['bulwark-timestamp']).toBe(String(NOW_SEC));
    expect(a['bulwark-nonce']).not.toBe(b['bulwark-nonce']);
    expect(a['bulwark-nonce']).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});
