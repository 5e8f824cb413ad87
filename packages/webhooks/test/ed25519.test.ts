import { describe, expect, it } from 'vitest';
import {
  derivePublicKey,
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  STANDARD_HEADERS,
  sign,
  verifyStandardWebhook,
} from '../src/index.js';
import { clockAt, NOW_SEC, rejection } from './helpers.js';

const body = 'hello';

describe('Ed25519 (Standard Webhooks v1a)', () => {
  it('signs with a private key and verifies with the public key', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    expect(privateKey).toMatch(/^whsk_/);
    expect(await derivePublicKey(parsePrivateKey(privateKey))).toBe(publicKey);
    const headers = await sign({ scheme: 'standard', body, privateKeys: privateKey, timestamp: NOW_SEC, id: 'm' });
    expect(headers[STANDARD_HEADERS.signature]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const result = await verifyStandardWebhook({
      headers,
      body,
      publicKeys: parsePublicKey(publicKey, { id: 'sender-1' }),
      clock: clockAt(),
    });
    expect(result).toMatchObject({ version: 'v1a', keyId: 'sender-1' });
  });

  it('rejects a signature from another key and a tampered body', async () => {
    const a = await generateKeyPair();
    const b = await generateKeyPair();
    const headers = await sign({ scheme: 'standard', body, privateKeys: a.privateKey, timestamp: NOW_SEC });
    const wrongKey = await rejection(
      verifyStandardWebhook({ headers, body, publicKeys: [b.publicKey], clock: clockAt() }),
    );
    expect(wrongKey.code).toBe('webhook_signature_mismatch');
    const tampered = await rejection(
      verifyStandardWebhook({ headers, body: 'hellO', publicKeys: a.publicKey, clock: clockAt() }),
    );
    expect(tampered.code).toBe('webhook_signature_mismatch');
  });

  it('validates key material and redacts private keys', async () => {
    expect(() => parsePublicKey('whpk_AAAA')).toThrow(expect.objectContaining({ code: 'webhook_secret_malformed' }));
    expect(() => parsePrivateKey(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'webhook_secret_malformed' }),
    );
    const { privateKey, publicKey } = await generateKeyPair();
    const parsed = parsePrivateKey(privateKey, { id: 'k' });
    expect(parsed.id).toBe('k');
    expect(parsePrivateKey(parsed)).toBe(parsed);
    expect(parsePrivateKey(parsed, { id: 'k2' }).id).toBe('k2');
    expect(String(parsed)).not.toContain(privateKey.slice(5));
    expect(JSON.stringify({ parsed })).not.toContain(privateKey.slice(5));
    const pub = parsePublicKey(publicKey);
    expect(String(pub)).toBe(publicKey);
    expect(parsePublicKey(pub)).toBe(pub);
    expect(parsePublicKey(pub, { id: 'p' }).id).toBe('p');
  });

  it('refuses Ed25519 keys with the bulwark scheme', async () => {
    const { privateKey } = await generateKeyPair();
    await expect(sign({ body, privateKeys: privateKey })).rejects.toThrow(/privateKeys/);
  });
});
