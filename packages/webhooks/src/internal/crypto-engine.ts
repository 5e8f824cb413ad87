// `#node-crypto-engine` (package.json `imports`) is the node:crypto fast path under the `node`
// condition and a no-op everywhere else, so browser and edge bundles do not carry it.
import { loadNodeCryptoEngine } from '#node-crypto-engine';
import { secretBytes, type WebhookSecret } from '../secret.js';
import type { Chunk, CryptoEngine } from './crypto-types.js';
import { concatBytes, toBase64, toHex, utf8 } from './encoding.js';

export type { Chunk, CryptoEngine, MacEncoding } from './crypto-types.js';

function toBytes(chunk: Chunk): Uint8Array {
  return typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
}

function concat(chunks: readonly Chunk[]): Uint8Array {
  // One chunk (the common verify case) is used as is, without a copy.
  return chunks.length === 1 ? toBytes(chunks[0]!) : concatBytes(chunks.map(toBytes));
}

/** Web Crypto engine with one cached `CryptoKey` per secret and hash. Runs on every runtime. */
export function createWebCryptoEngine(): CryptoEngine {
  const keyCache = (hash: 'SHA-256' | 'SHA-1') => {
    const keys = new WeakMap<WebhookSecret, Promise<CryptoKey>>();
    return (secret: WebhookSecret): Promise<CryptoKey> => {
      let key = keys.get(secret);
      if (!key) {
        key = globalThis.crypto.subtle.importKey(
          'raw',
          secretBytes(secret) as Uint8Array<ArrayBuffer>,
          { name: 'HMAC', hash },
          false,
          ['sign'],
        );
        keys.set(secret, key);
      }
      return key;
    };
  };
  const sha256Key = keyCache('SHA-256');
  const sha1Key = keyCache('SHA-1');
  const hmac = async (key: CryptoKey, chunks: readonly Chunk[], encoding: 'hex' | 'base64') => {
    const mac = new Uint8Array(
      await globalThis.crypto.subtle.sign('HMAC', key, concat(chunks) as Uint8Array<ArrayBuffer>),
    );
    return encoding === 'hex' ? toHex(mac) : toBase64(mac);
  };
  return {
    name: 'webcrypto',
    async hmacSha256(secret, chunks, encoding) {
      return hmac(await sha256Key(secret), chunks, encoding);
    },
    async hmacSha1(secret, chunks, encoding) {
      return hmac(await sha1Key(secret), chunks, encoding);
    },
    async sha256Hex(data) {
      const digest = await globalThis.crypto.subtle.digest('SHA-256', toBytes(data) as Uint8Array<ArrayBuffer>);
      return toHex(new Uint8Array(digest));
    },
  };
}

/** Which crypto implementation to use: `auto` picks node:crypto when available (Node builds only). */
export type CryptoPreference = 'auto' | 'webcrypto';

let webEngine: CryptoEngine | undefined;
let nodeEngine: CryptoEngine | null | undefined;

/** The shared engine for a preference (engines hold their key caches). */
export function selectEngine(preference: CryptoPreference = 'auto'): CryptoEngine {
  if (preference === 'auto') {
    if (nodeEngine === undefined) nodeEngine = loadNodeCryptoEngine(secretBytes) ?? null;
    if (nodeEngine) return nodeEngine;
  }
  webEngine ??= createWebCryptoEngine();
  return webEngine;
}
