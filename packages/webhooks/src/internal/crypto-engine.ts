import { secretBytes, type WebhookSecret } from '../secret.js';
import { concatBytes, toBase64, toHex, utf8 } from './encoding.js';

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

/** The subset of node:crypto used by the fast path (looked up at runtime, never imported). */
interface NodeCrypto {
  createHmac(
    algorithm: 'sha256',
    key: unknown,
  ): {
    update(data: Chunk): unknown;
    digest(encoding: MacEncoding): string;
  };
  createHash(algorithm: 'sha256'): { update(data: Chunk): { digest(encoding: 'hex'): string } };
  createSecretKey(key: Uint8Array): unknown;
  /** One-shot digest (Node >= 20.12); faster than createHash for small inputs. */
  hash?:
    | {
        (algorithm: 'sha256', data: Chunk, encoding: MacEncoding): string;
        (algorithm: 'sha256', data: Chunk, encoding: 'buffer'): Uint8Array;
      }
    | undefined;
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

/** Messages up to this length take the two-one-shot-hashes HMAC path (see below). */
const SHORT_MESSAGE = 192;
const BLOCK = 64;

/** The HMAC key blocks `key ⊕ ipad` and `key ⊕ opad` (secrets are at most one block long). */
function pads(key: Uint8Array): { inner: Uint8Array; outer: Uint8Array } {
  const inner = new Uint8Array(BLOCK).fill(0x36);
  const outer = new Uint8Array(BLOCK).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i]! ^= key[i]!;
    outer[i]! ^= key[i]!;
  }
  return { inner, outer };
}

/**
 * node:crypto engine with one cached `KeyObject` per secret: synchronous, no extra copies.
 * For short single-string messages (the Bulwark v1 canonical string) it computes RFC 2104
 * HMAC as two one-shot `crypto.hash` calls over precomputed key blocks, which avoids the
 * fixed cost of creating an Hmac object; results are identical (checked against the vectors).
 */
export function createNodeCryptoEngine(nodeCrypto: NodeCrypto): CryptoEngine {
  const keys = new WeakMap<WebhookSecret, unknown>();
  const padCache = new WeakMap<WebhookSecret, { inner: Uint8Array; outer: Uint8Array }>();
  const keyFor = (secret: WebhookSecret): unknown => {
    let key = keys.get(secret);
    if (key === undefined) {
      key = nodeCrypto.createSecretKey(secretBytes(secret));
      keys.set(secret, key);
    }
    return key;
  };
  const oneShot = nodeCrypto.hash;
  function shortHmac(
    hash: NonNullable<NodeCrypto['hash']>,
    secret: WebhookSecret,
    message: string,
    encoding: MacEncoding,
  ): string {
    let keyPads = padCache.get(secret);
    if (!keyPads) {
      keyPads = pads(secretBytes(secret));
      padCache.set(secret, keyPads);
    }
    const inner = new Uint8Array(BLOCK + message.length * 3);
    inner.set(keyPads.inner);
    const { written } = utf8.encodeInto(message, inner.subarray(BLOCK));
    const innerDigest = hash('sha256', inner.subarray(0, BLOCK + written), 'buffer');
    const outer = new Uint8Array(BLOCK + 32);
    outer.set(keyPads.outer);
    outer.set(innerDigest, BLOCK);
    return hash('sha256', outer, encoding);
  }
  return {
    name: 'node',
    hmacSha256(secret, chunks, encoding) {
      const first = chunks[0];
      if (oneShot && chunks.length === 1 && typeof first === 'string' && first.length <= SHORT_MESSAGE) {
        return shortHmac(oneShot, secret, first, encoding);
      }
      const hmac = nodeCrypto.createHmac('sha256', keyFor(secret));
      for (const chunk of chunks) hmac.update(chunk);
      return hmac.digest(encoding);
    },
    sha256Hex: oneShot
      ? (data) => oneShot('sha256', data, 'hex')
      : (data) => nodeCrypto.createHash('sha256').update(data).digest('hex'),
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
