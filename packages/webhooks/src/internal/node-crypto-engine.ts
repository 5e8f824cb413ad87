// The `node` target of `#node-crypto-engine` (package.json `imports`): a separate file of the
// build, so it imports no module with state (a CommonJS build would get its own copy of it).
// Secret bytes come from the caller's `secretBytes`.
import type { WebhookSecret } from '../secret.js';
import type { Chunk, CryptoEngine, MacEncoding } from './crypto-types.js';
import { utf8 } from './encoding.js';

/** The subset of node:crypto used by the fast path (looked up at runtime, never imported). */
export interface NodeCrypto {
  createHmac(
    algorithm: 'sha256' | 'sha1',
    key: unknown,
  ): {
    update(data: Chunk): unknown;
    digest(encoding: MacEncoding): string;
  };
  createHash(algorithm: 'sha256'): { update(data: Chunk): { digest(encoding: 'hex'): string } };
  createSecretKey(key: Uint8Array): unknown;
  /** One-shot digest (Node >= 20.12): no Hash object per call. */
  hash?: ((algorithm: 'sha256' | 'sha1', data: Chunk, encoding: MacEncoding | 'latin1') => string) | undefined;
}

type OneShotHash = NonNullable<NodeCrypto['hash']>;

/** Block length of SHA-256 and SHA-1 alike. */
const BLOCK = 64;
/** Digest lengths. */
const DIGEST = { sha256: 32, sha1: 20 } as const;
/**
 * Messages up to this many bytes are MACed with two one-shot hashes through a scratch buffer;
 * longer ones stream through an Hmac object, whose fixed cost no longer matters there.
 */
const ONE_SHOT_LIMIT = 16 * 1024;

/** The HMAC key blocks `key ⊕ ipad` and `key ⊕ opad` (secrets are at most one block long). */
interface KeyPads {
  readonly inner: Uint8Array;
  readonly outer: Uint8Array;
}

function keyPads(key: Uint8Array): KeyPads {
  const inner = new Uint8Array(BLOCK).fill(0x36);
  const outer = new Uint8Array(BLOCK).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i]! ^= key[i]!;
    outer[i]! ^= key[i]!;
  }
  return { inner, outer };
}

/**
 * node:crypto engine. Creating an Hmac object costs more than hashing a 1 KiB message, so
 * messages up to {@link ONE_SHOT_LIMIT} bytes are MACed as RFC 2104 spells HMAC out,
 * `H(key ⊕ opad ‖ H(key ⊕ ipad ‖ message))`, with two one-shot `crypto.hash` calls over
 * cached key blocks (identical results, checked against Web Crypto and the test vectors).
 * Longer messages stream through `createHmac` with a cached `KeyObject`.
 */
export function createNodeCryptoEngine(
  nodeCrypto: NodeCrypto,
  secretBytes: (secret: WebhookSecret) => Uint8Array,
): CryptoEngine {
  const keyObjects = new WeakMap<WebhookSecret, unknown>();
  const padCache = new WeakMap<WebhookSecret, KeyPads>();
  // Reused across calls: every use below is synchronous, so no two calls can interleave.
  const inner = new Uint8Array(BLOCK + ONE_SHOT_LIMIT);
  const outer = { sha256: new Uint8Array(BLOCK + DIGEST.sha256), sha1: new Uint8Array(BLOCK + DIGEST.sha1) };

  function padsFor(secret: WebhookSecret): KeyPads {
    let pads = padCache.get(secret);
    if (!pads) {
      pads = keyPads(secretBytes(secret));
      padCache.set(secret, pads);
    }
    return pads;
  }

  /** Copies the chunks after the ipad block; returns the end offset, or -1 when they do not fit. */
  function fillInner(chunks: readonly Chunk[]): number {
    let end = BLOCK;
    for (const chunk of chunks) {
      // A string never encodes to fewer UTF-8 bytes than it has UTF-16 code units.
      if (chunk.length > inner.length - end) return -1;
      if (typeof chunk === 'string') {
        const { read, written } = utf8.encodeInto(chunk, inner.subarray(end));
        if (read !== chunk.length) return -1;
        end += written;
      } else {
        inner.set(chunk, end);
        end += chunk.length;
      }
    }
    return end;
  }

  function oneShotHmac(
    hash: OneShotHash,
    secret: WebhookSecret,
    chunks: readonly Chunk[],
    encoding: MacEncoding,
    algorithm: 'sha256' | 'sha1' = 'sha256',
  ): string | undefined {
    // The key blocks hold keys of at most one block; longer keys are hashed first (streaming path).
    if (secret.byteLength > BLOCK) return undefined;
    const end = fillInner(chunks);
    if (end < 0) return undefined;
    const pads = padsFor(secret);
    inner.set(pads.inner);
    // latin1 maps each digest byte to one char code: the cheapest digest output to copy back.
    const innerDigest = hash(algorithm, inner.subarray(0, end), 'latin1');
    const block = outer[algorithm];
    block.set(pads.outer);
    for (let i = 0; i < DIGEST[algorithm]; i++) block[BLOCK + i] = innerDigest.charCodeAt(i);
    return hash(algorithm, block, encoding);
  }

  function streamingHmac(
    secret: WebhookSecret,
    chunks: readonly Chunk[],
    encoding: MacEncoding,
    algorithm: 'sha256' | 'sha1' = 'sha256',
  ): string {
    let key = keyObjects.get(secret);
    if (key === undefined) {
      key = nodeCrypto.createSecretKey(secretBytes(secret));
      keyObjects.set(secret, key);
    }
    const hmac = nodeCrypto.createHmac(algorithm, key);
    for (const chunk of chunks) hmac.update(chunk);
    return hmac.digest(encoding);
  }

  const hash = nodeCrypto.hash;
  return {
    name: 'node',
    // Keys longer than one block are hashed first by HMAC (RFC 2104): the key-pad path covers
    // keys of at most one block (every `whsec_` secret); provider secrets may be longer.
    hmacSha256: hash
      ? (secret, chunks, encoding) =>
          oneShotHmac(hash, secret, chunks, encoding) ?? streamingHmac(secret, chunks, encoding)
      : (secret, chunks, encoding) => streamingHmac(secret, chunks, encoding),
    hmacSha1: hash
      ? (secret, chunks, encoding) =>
          oneShotHmac(hash, secret, chunks, encoding, 'sha1') ?? streamingHmac(secret, chunks, encoding, 'sha1')
      : (secret, chunks, encoding) => streamingHmac(secret, chunks, encoding, 'sha1'),
    sha256Hex: hash
      ? (data) => hash('sha256', data, 'hex')
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

/**
 * The node:crypto engine when node:crypto is available, else undefined (Web Crypto serves).
 * `secretBytes` reads a secret's bytes (from the caller's copy of `secret.ts`).
 */
export function loadNodeCryptoEngine(secretBytes: (secret: WebhookSecret) => Uint8Array): CryptoEngine | undefined {
  const nodeCrypto = loadNodeCrypto();
  return nodeCrypto ? createNodeCryptoEngine(nodeCrypto, secretBytes) : undefined;
}
