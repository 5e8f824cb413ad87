import { WebhookSecretError } from './errors/webhook-error.js';
import { fromBase64, toBase64 } from './internal/encoding.js';

/** Prefix of serialized Ed25519 public keys (Standard Webhooks). */
export const PUBLIC_KEY_PREFIX = 'whpk_';
/** Prefix of serialized Ed25519 private keys (Standard Webhooks). */
export const PRIVATE_KEY_PREFIX = 'whsk_';

const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const REDACTED = '[redacted Ed25519PrivateKey]';
const ED25519 = { name: 'Ed25519' } as const;

const publicBytes = new WeakMap<Ed25519PublicKey, Uint8Array>();
const seeds = new WeakMap<Ed25519PrivateKey, Uint8Array>();
const cryptoKeys = new WeakMap<object, Promise<CryptoKey>>();

/**
 * An Ed25519 public key, for verifying Standard Webhooks `v1a` signatures. Create with {@link parsePublicKey}.
 *
 * @example
 * ```ts
 * const key = parsePublicKey('whpk_…', { id: 'sender-2026' });
 * ```
 */
export class Ed25519PublicKey {
  /** Key id reported by `verify()` on a match. */
  readonly id: string | undefined;

  /** @internal Use {@link parsePublicKey}. */
  constructor(bytes: Uint8Array, id: string | undefined) {
    this.id = id;
    publicBytes.set(this, bytes);
    Object.freeze(this);
  }

  /** The key as `whpk_<base64>`; public keys are not secret. */
  toString(): string {
    return PUBLIC_KEY_PREFIX + toBase64(publicBytes.get(this) as Uint8Array);
  }
}

/**
 * An Ed25519 private key (its 32-byte seed), for signing `v1a`. Redacts itself in
 * `toString`, `JSON.stringify` and `util.inspect`. Create with {@link parsePrivateKey}.
 *
 * @example
 * ```ts
 * const key = parsePrivateKey(process.env.WEBHOOK_SIGNING_KEY!);
 * ```
 */
export class Ed25519PrivateKey {
  /** Key id, for bookkeeping. */
  readonly id: string | undefined;

  /** @internal Use {@link parsePrivateKey}. */
  constructor(seed: Uint8Array, id: string | undefined) {
    this.id = id;
    seeds.set(this, seed);
    Object.freeze(this);
  }

  /** Returns a redaction marker, never the key. */
  toString(): string {
    return REDACTED;
  }

  /** Returns a redaction marker, never the key. */
  toJSON(): string {
    return REDACTED;
  }

  /** Node's `util.inspect` hook: a redaction marker. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

function decodeKey(input: string | Uint8Array, prefix: string, lengths: readonly number[], what: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (typeof input === 'string') {
    bytes = fromBase64(input.startsWith(prefix) ? input.slice(prefix.length) : input);
  } else if (input instanceof Uint8Array) {
    bytes = new Uint8Array(input);
  }
  if (!bytes || !lengths.includes(bytes.length)) {
    throw new WebhookSecretError({
      detail: `Expected the ${what} to be strict base64 (optionally prefixed with ${prefix}) of ${lengths.join(' or ')} bytes`,
    });
  }
  return bytes;
}

/** What {@link parsePublicKey} accepts. */
export type PublicKeyInput = string | Uint8Array | Ed25519PublicKey;
/** What {@link parsePrivateKey} accepts. */
export type PrivateKeyInput = string | Uint8Array | Ed25519PrivateKey;

/**
 * Validates an Ed25519 public key: `whpk_` prefix optional, strict base64 of the 32-byte raw key.
 *
 * @throws {webhook_secret_malformed} when the key is invalid.
 * @example
 * ```ts
 * const publicKey = parsePublicKey('whpk_…');
 * ```
 */
export function parsePublicKey(input: PublicKeyInput, options: { id?: string | undefined } = {}): Ed25519PublicKey {
  if (input instanceof Ed25519PublicKey) {
    return options.id === undefined ? input : new Ed25519PublicKey(publicBytes.get(input)!, options.id);
  }
  return new Ed25519PublicKey(decodeKey(input, PUBLIC_KEY_PREFIX, [32], 'public key'), options.id);
}

/**
 * Validates an Ed25519 private key: `whsk_` prefix optional, strict base64 of the 32-byte seed
 * (or of 64 bytes seed‖public key, as libsodium stores it).
 *
 * @throws {webhook_secret_malformed} when the key is invalid.
 * @example
 * ```ts
 * const privateKey = parsePrivateKey('whsk_…');
 * ```
 */
export function parsePrivateKey(input: PrivateKeyInput, options: { id?: string | undefined } = {}): Ed25519PrivateKey {
  if (input instanceof Ed25519PrivateKey) {
    return options.id === undefined ? input : new Ed25519PrivateKey(seeds.get(input)!, options.id);
  }
  const bytes = decodeKey(input, PRIVATE_KEY_PREFIX, [32, 64], 'private key');
  return new Ed25519PrivateKey(bytes.slice(0, 32), options.id);
}

/**
 * Generates an Ed25519 key pair with Web Crypto, serialized as `whsk_…` / `whpk_…`.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateKeyPair();
 * ```
 */
export async function generateKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  const pair = (await globalThis.crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const raw = new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: PRIVATE_KEY_PREFIX + toBase64(pkcs8.slice(16)), publicKey: PUBLIC_KEY_PREFIX + toBase64(raw) };
}

/**
 * The public half of a private key.
 *
 * @example
 * ```ts
 * const publicKey = await derivePublicKey(parsePrivateKey('whsk_…')); // 'whpk_…'
 * ```
 */
export async function derivePublicKey(privateKey: Ed25519PrivateKey): Promise<string> {
  const key = await privateCryptoKey(privateKey);
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', key);
  const x = (jwk.x as string).replace(/-/g, '+').replace(/_/g, '/');
  return `${PUBLIC_KEY_PREFIX}${x}=`;
}

function privateCryptoKey(privateKey: Ed25519PrivateKey): Promise<CryptoKey> {
  let key = cryptoKeys.get(privateKey);
  if (!key) {
    const pkcs8 = new Uint8Array(48);
    pkcs8.set(PKCS8_ED25519_PREFIX);
    pkcs8.set(seeds.get(privateKey)!, 16);
    key = globalThis.crypto.subtle.importKey('pkcs8', pkcs8, ED25519, true, ['sign']);
    cryptoKeys.set(privateKey, key);
  }
  return key;
}

function publicCryptoKey(publicKey: Ed25519PublicKey): Promise<CryptoKey> {
  let key = cryptoKeys.get(publicKey);
  if (!key) {
    key = globalThis.crypto.subtle.importKey(
      'raw',
      publicBytes.get(publicKey)! as Uint8Array<ArrayBuffer>,
      ED25519,
      false,
      ['verify'],
    );
    cryptoKeys.set(publicKey, key);
  }
  return key;
}

/** @internal Ed25519 signature of `data`. */
export async function ed25519Sign(privateKey: Ed25519PrivateKey, data: Uint8Array): Promise<Uint8Array> {
  const key = await privateCryptoKey(privateKey);
  return new Uint8Array(await globalThis.crypto.subtle.sign(ED25519, key, data as Uint8Array<ArrayBuffer>));
}

/** @internal Whether `signature` is a valid Ed25519 signature of `data`. */
export async function ed25519Verify(
  publicKey: Ed25519PublicKey,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const key = await publicCryptoKey(publicKey);
  return globalThis.crypto.subtle.verify(
    ED25519,
    key,
    signature as Uint8Array<ArrayBuffer>,
    data as Uint8Array<ArrayBuffer>,
  );
}
