import { secretBytes, type WebhookSecret } from '../secret.js';
import { concatBytes, toBase64, toHex, utf8 } from './encoding.js';
import { createNodeCryptoEngine, type NodeCrypto } from './node-crypto-engine.js';

/** Bytes to MAC: strings are UTF-8, byte arrays are taken as they are. */
export type Chunk = string | Uint8Array;

/** Text encoding of a MAC: `hex` (lowercase, Bulwark v1) or `base64` (standard, Standard Webhooks). */
export type MacEncoding = 'hex' | 'base64';

/**
 * The two primitives the schemes need. Results are sync on the node:crypto fast path and
 * promises on Web Crypto; callers await only when needed.
 */
export interface CryptoEngine {
  readonly name: 'node' | 'webcrypto';
  hmacSha256(secret: WebhookSecret, chunks: readonly Chunk[], encoding: MacEncoding): string | Promise<string>;
  sha256Hex(data: Chunk): string | Promise<string>;
}

function toBytes(chunk: Chunk): Uint8Array {
  return typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
}

function concat(chunks: readonly Chunk[]): Uint8Array {
  // One chunk (the common verify case) is used as is, without a copy.
  return chunks.length === 1 ? toBytes(chunks[0]!) : concatBytes(chunks.map(toBytes));
}

/** Web Crypto engine with one cached `CryptoKey` per secret. Runs on every runtime. */
export function createWebCryptoEngine(): CryptoEngine {
  const keys = new WeakMap<WebhookSecret, Promise<CryptoKey>>();
  const keyFor = (secret: WebhookSecret): Promise<CryptoKey> => {
    let key = keys.get(secret);
    if (!key) {
      key = globalThis.crypto.subtle.importKey(
        'raw',
        secretBytes(secret) as Uint8Array<ArrayBuffer>,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      keys.set(secret, key);
    }
    return key;
  };
  return {
    name: 'webcrypto',
    async hmacSha256(secret, chunks, encoding) {
      const key = await keyFor(secret);
      const mac = new Uint8Array(
        await globalThis.crypto.subtle.sign('HMAC', key, concat(chunks) as Uint8Array<ArrayBuffer>),
      );
      return encoding === 'hex' ? toHex(mac) : toBase64(mac);
    },
    async sha256Hex(data) {
      const digest = await globalThis.crypto.subtle.digest('SHA-256', toBytes(data) as Uint8Array<ArrayBuffer>);
      return toHex(new Uint8Array(digest));
    },
  };
}

/** Loads node:crypto without a static `node:` import, so bundles stay runtime-agnostic. */
export function loadNodeCrypto(): NodeCrypto | undefined {
  // Vercel/Next.js edge (and @edge-runtime/vm) define `EdgeRuntime`: stay on Web Crypto there even
  // when a Node `process` shim is visible.
  if (typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string') return undefined;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
    return typeof mod?.createHmac === 'function' ? mod : undefined;
  } catch {
    return undefined;
  }
}

/** Which crypto implementation to use: `auto` picks node:crypto when available. */
export type CryptoPreference = 'auto' | 'webcrypto';

let webEngine: CryptoEngine | undefined;
let nodeEngine: CryptoEngine | null | undefined;

/** The shared engine for a preference (engines hold their key caches). */
export function selectEngine(preference: CryptoPreference = 'auto'): CryptoEngine {
  if (preference === 'auto') {
    if (nodeEngine === undefined) {
      const nodeCrypto = loadNodeCrypto();
      nodeEngine = nodeCrypto ? createNodeCryptoEngine(nodeCrypto) : null;
    }
    if (nodeEngine) return nodeEngine;
  }
  webEngine ??= createWebCryptoEngine();
  return webEngine;
}
