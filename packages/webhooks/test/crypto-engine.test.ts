import { describe, expect, it } from 'vitest';
import { parseSecret, WebhookSecret } from '../src/index.js';
import { createWebCryptoEngine, selectEngine } from '../src/internal/crypto-engine.js';
import { fromBase64, fromHex, toBase64, toBase64Url, toHex } from '../src/internal/encoding.js';
import { loadNodeCryptoEngine as loadNoEngine } from '../src/internal/no-node-crypto-engine.js';
import { createNodeCryptoEngine, loadNodeCrypto, loadNodeCryptoEngine } from '../src/internal/node-crypto-engine.js';
import { secretBytes } from '../src/secret.js';
import { SECRET } from './helpers.js';

describe('crypto engines', () => {
  it('uses Web Crypto in edge runtimes and node:crypto on Node by default', () => {
    const edge = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';
    expect(selectEngine('auto').name).toBe(edge ? 'webcrypto' : 'node');
  });

  it('loads the node:crypto engine only from the `node` target of #node-crypto-engine', () => {
    expect(loadNoEngine(secretBytes)).toBeUndefined();
    const edge = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';
    expect(loadNodeCryptoEngine(secretBytes)?.name).toBe(edge ? undefined : 'node');
  });

  it('selects Web Crypto on request and caches engines', () => {
    expect(selectEngine('webcrypto').name).toBe('webcrypto');
    expect(selectEngine('auto')).toBe(selectEngine('auto'));
  });

  it('gives identical results on Web Crypto and node:crypto (when present)', async () => {
    const secret = parseSecret(SECRET);
    const web = createWebCryptoEngine();
    const chunks = ['a.', new Uint8Array([0xff, 0])];
    const webMac = await web.hmacSha256(secret, chunks, 'base64');
    expect(await web.hmacSha256(secret, chunks, 'base64')).toBe(webMac);
    expect(fromBase64(webMac)).toEqual(fromHex(await web.hmacSha256(secret, chunks, 'hex')));
    expect(await web.sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const nodeCrypto = loadNodeCrypto();
    if (nodeCrypto) {
      const node = createNodeCryptoEngine(nodeCrypto, secretBytes);
      expect(node.hmacSha256(secret, chunks, 'base64')).toBe(webMac);
      expect(node.hmacSha256(secret, chunks, 'hex')).toBe(await web.hmacSha256(secret, chunks, 'hex'));
      expect(await node.sha256Hex(new Uint8Array())).toBe(await web.sha256Hex(''));
      const withoutOneShot = createNodeCryptoEngine({ ...nodeCrypto, hash: undefined }, secretBytes);
      expect(withoutOneShot.sha256Hex('')).toBe(await web.sha256Hex(''));
      for (const message of ['', '1700000000.nonce.abc', 'é'.repeat(192), 'x'.repeat(193)]) {
        for (const encoding of ['hex', 'base64'] as const) {
          const expected = await web.hmacSha256(secret, [message], encoding);
          expect(node.hmacSha256(secret, [message], encoding)).toBe(expected);
          expect(withoutOneShot.hmacSha256(secret, [message], encoding)).toBe(expected);
        }
      }
      // Around the one-shot scratch limit (16 KiB): strings, multi-byte strings and byte arrays.
      const limit = 16 * 1024;
      const sized = (n: number) => new Uint8Array(n).fill(0x5a);
      for (const chunks of [
        ['x'.repeat(limit)],
        ['x'.repeat(limit + 1)],
        ['é'.repeat(limit / 2)],
        ['é'.repeat(limit / 2 + 1)],
        ['id.1700000000.', sized(limit - 14)],
        ['id.1700000000.', sized(limit - 13)],
      ]) {
        const expected = await web.hmacSha256(secret, chunks, 'base64');
        expect(node.hmacSha256(secret, chunks, 'base64')).toBe(expected);
        expect(withoutOneShot.hmacSha256(secret, chunks, 'base64')).toBe(expected);
      }
      const longSecret = parseSecret(new Uint8Array(64).fill(0xab));
      expect(node.hmacSha256(longSecret, ['m'], 'hex')).toBe(await web.hmacSha256(longSecret, ['m'], 'hex'));
      // HMAC-SHA1 (Twilio) and keys longer than one block (provider secrets): one-shot, streaming
      // and Web Crypto agree, around the scratch limit too.
      const keys = [64, 65, 150].map((n) => new WebhookSecret(new Uint8Array(n).fill(n), undefined));
      for (const key of [secret, ...keys]) {
        for (const chunks of [['https://h.example/sms', 'Bodyhi'], ['x'.repeat(limit)], ['x'.repeat(limit + 1)]]) {
          for (const encoding of ['hex', 'base64'] as const) {
            const sha1 = await web.hmacSha1(key, chunks, encoding);
            expect(node.hmacSha1(key, chunks, encoding)).toBe(sha1);
            expect(withoutOneShot.hmacSha1(key, chunks, encoding)).toBe(sha1);
            const sha256 = await web.hmacSha256(key, chunks, encoding);
            expect(node.hmacSha256(key, chunks, encoding)).toBe(sha256);
            expect(withoutOneShot.hmacSha256(key, chunks, encoding)).toBe(sha256);
          }
        }
      }
    }
  });

  it('falls back when getBuiltinModule throws or is absent, or in an edge runtime', () => {
    const original = globalThis.process;
    const edge = (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime;
    try {
      (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime = 'edge-runtime';
      expect(loadNodeCrypto()).toBeUndefined();
      expect(loadNodeCryptoEngine(secretBytes)).toBeUndefined();
      (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime = undefined;
      Object.defineProperty(globalThis, 'process', {
        value: {
          getBuiltinModule: () => {
            throw new Error('no');
          },
        },
        configurable: true,
        writable: true,
      });
      expect(loadNodeCrypto()).toBeUndefined();
      Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
      expect(loadNodeCrypto()).toBeUndefined();
    } finally {
      (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime = edge;
      Object.defineProperty(globalThis, 'process', { value: original, configurable: true, writable: true });
    }
  });
});

describe('encodings', () => {
  it('round-trips base64 of every length mod 3 and rejects non-canonical input', () => {
    for (const length of [0, 1, 2, 3, 4, 5]) {
      const bytes = Uint8Array.from({ length }, (_, i) => 250 - i);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    }
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(fromBase64('QQ=')).toBeUndefined();
    expect(fromBase64('QR==')).toBeUndefined();
    expect(fromBase64('QUI=')).toEqual(new Uint8Array([65, 66]));
    expect(fromBase64('QUJ=')).toBeUndefined();
    expect(fromBase64('Q=Q=')).toBeUndefined();
    expect(fromBase64('QUé=')).toBeUndefined();
  });

  it('round-trips lowercase hex only', () => {
    expect(toHex(new Uint8Array([0, 255]))).toBe('00ff');
    expect(fromHex('00ff')).toEqual(new Uint8Array([0, 255]));
    expect(fromHex('00FF')).toBeUndefined();
    expect(fromHex('0')).toBeUndefined();
  });
});
