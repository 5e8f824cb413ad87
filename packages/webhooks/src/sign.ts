import { type Clock, systemClock } from '@bulwark/core';
import { ed25519Sign, type PrivateKeyInput } from './ed25519.js';
import { type BodyInput, normalizeBody } from './internal/body.js';
import { type CryptoPreference, selectEngine } from './internal/crypto-engine.js';
import { randomBytes, toBase64, toBase64Url } from './internal/encoding.js';
import { resolvePrivateKeys, resolveSecrets, type SecretsOption } from './internal/key-set.js';
import { joinChunks, signedChunks } from './internal/signed-content.js';
import { BULWARK_HEADERS, ID_PATTERN, NONCE_PATTERN, STANDARD_HEADERS, type WebhookScheme } from './schemes.js';

/** Configuration of a signer (validated once by {@link createWebhookSigner}). */
export interface WebhookSignerOptions {
  /** Signature scheme. Type: `'bulwark' | 'standard'`. Default: `'bulwark'`. */
  scheme?: WebhookScheme;
  /** HMAC secrets; every live one signs (current + next during a rotation overlap). */
  secrets?: SecretsOption;
  /** Ed25519 private keys (`scheme: 'standard'` only): each adds a `v1a` signature. */
  privateKeys?: PrivateKeyInput | readonly PrivateKeyInput[];
  /** Time source for the default timestamp. Type: `Clock`. Default: `systemClock`. */
  clock?: Clock;
  /** `auto` uses node:crypto when available. Type: `'auto' | 'webcrypto'`. Default: `'auto'`. */
  crypto?: CryptoPreference;
}

/** One message to sign. */
export interface SignInput {
  /** The exact bytes that will be sent. Strings are signed as UTF-8. */
  readonly body: BodyInput;
  /** Unix seconds (number) or a Date. Default: `clock.now()` in seconds. */
  readonly timestamp?: number | Date;
  /** Bulwark nonce or Standard Webhooks `webhook-id`. Default: random (`msg_…` for standard). */
  readonly id?: string;
}

/** Headers to send with the body (lowercase names). */
export type SignedHeaders = Readonly<Record<string, string>>;

/** A configured signer. */
export interface WebhookSigner {
  /** Signs one message and returns the headers to send. */
  sign(input: SignInput): Promise<SignedHeaders>;
}

function toSeconds(timestamp: number | Date | undefined, clock: Clock): number {
  if (timestamp === undefined) return Math.floor(clock.now() / 1000);
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 9_999_999_999) {
    throw new RangeError(
      `Expected \`timestamp\` to be Unix seconds (an integer in [0, 9999999999]), got ${String(timestamp)}`,
    );
  }
  return seconds;
}

/**
 * Creates a signer: secrets are parsed once and keys cached.
 *
 * @throws {TypeError} when no key is given or `privateKeys` is used with the bulwark scheme.
 * @throws {webhook_secret_malformed} for an invalid secret or private key.
 * @example
 * ```ts
 * const signer = createWebhookSigner({ secrets: process.env.WEBHOOK_SECRET! });
 * const headers = await signer.sign({ body: JSON.stringify(event) });
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 * ```
 */
export function createWebhookSigner(options: WebhookSignerOptions): WebhookSigner {
  const scheme = options.scheme ?? 'bulwark';
  if (scheme !== 'bulwark' && scheme !== 'standard') {
    throw new TypeError(`Expected \`scheme\` to be 'bulwark' or 'standard', got ${String(scheme)}`);
  }
  if (options.secrets === undefined && options.privateKeys === undefined) {
    throw new TypeError('Expected `secrets` (HMAC) or `privateKeys` (Ed25519) to be given');
  }
  if (options.privateKeys !== undefined && scheme !== 'standard') {
    throw new TypeError("Expected `privateKeys` only with `scheme: 'standard'` (Ed25519 is Standard Webhooks v1a)");
  }
  const secretsAt = options.secrets === undefined ? () => [] : resolveSecrets(options.secrets);
  const privateKeys = options.privateKeys === undefined ? [] : resolvePrivateKeys(options.privateKeys);
  const clock = options.clock ?? systemClock;
  const engine = selectEngine(options.crypto ?? 'auto');

  async function sign(input: SignInput): Promise<SignedHeaders> {
    const body = normalizeBody(input.body);
    const timestamp = toSeconds(input.timestamp, clock);
    const id =
      input.id ?? (scheme === 'standard' ? `msg_${toBase64Url(randomBytes(18))}` : toBase64Url(randomBytes(18)));
    if (!(scheme === 'bulwark' ? NONCE_PATTERN : ID_PATTERN).test(id)) {
      throw new TypeError(
        scheme === 'bulwark'
          ? 'Expected `id` (nonce) to be 1-128 characters of A-Z a-z 0-9 _ -'
          : 'Expected `id` to be 1-256 visible ASCII characters',
      );
    }
    const keys = secretsAt(clock.now());
    if (keys.length === 0 && privateKeys.length === 0) throw new TypeError('No live key in `secrets` to sign with');
    const prepared = signedChunks(engine, scheme, id, timestamp, body);
    const chunks = Array.isArray(prepared) ? prepared : await prepared;
    const signatures: string[] = [];
    for (const { key } of keys) {
      const mac = await engine.hmacSha256(key, chunks, scheme === 'bulwark' ? 'hex' : 'base64');
      signatures.push(scheme === 'bulwark' ? `v1=${mac}` : `v1,${mac}`);
    }
    if (privateKeys.length > 0) {
      const message = joinChunks(chunks);
      for (const key of privateKeys) signatures.push(`v1a,${toBase64(await ed25519Sign(key, message))}`);
    }
    const signature = signatures.join(' ');
    return Object.freeze(
      scheme === 'bulwark'
        ? {
            [BULWARK_HEADERS.timestamp]: String(timestamp),
            [BULWARK_HEADERS.nonce]: id,
            [BULWARK_HEADERS.signature]: signature,
          }
        : {
            [STANDARD_HEADERS.id]: id,
            [STANDARD_HEADERS.timestamp]: String(timestamp),
            [STANDARD_HEADERS.signature]: signature,
          },
    );
  }

  return Object.freeze({ sign });
}

/** Options of the one-shot {@link sign}. */
export type SignOptions = WebhookSignerOptions & SignInput;

/**
 * Signs one message and returns the headers to send (one-shot form of {@link createWebhookSigner}).
 *
 * @throws {webhook_secret_malformed} for an invalid secret.
 * @throws {RangeError} for a timestamp that is not Unix seconds.
 * @example
 * ```ts
 * const headers = await sign({ body, secrets: 'whsec_…' });
 * // { 'bulwark-timestamp': '1700000000', 'bulwark-nonce': '…', 'bulwark-signature': 'v1=…' }
 * ```
 */
export async function sign(options: SignOptions): Promise<SignedHeaders> {
  return createWebhookSigner(options).sign(options);
}
