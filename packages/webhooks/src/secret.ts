import { assertNumberOption } from '@bulwark/core';
import { WebhookSecretError } from './errors/webhook-error.js';
import { fromBase64, randomBytes, toBase64 } from './internal/encoding.js';

/** Smallest accepted secret, in bytes (192 bits, the Standard Webhooks minimum). */
export const MIN_SECRET_BYTES = 24;
/** Largest accepted secret, in bytes (one SHA-256 block). */
export const MAX_SECRET_BYTES = 64;
/** The optional prefix of serialized secrets. */
export const SECRET_PREFIX = 'whsec_';

const bytesOf = new WeakMap<WebhookSecret, Uint8Array>();
const REDACTED = '[redacted WebhookSecret]';

/**
 * A validated HMAC secret. Its bytes are unreachable from outside the package, and it redacts
 * itself in `toString()`, `JSON.stringify` and Node's `util.inspect`, so it cannot leak into logs.
 * Create one with {@link parseSecret}.
 *
 * @example
 * ```ts
 * const secret = parseSecret(process.env.WEBHOOK_SECRET!, { id: '2026-01' });
 * String(secret); // '[redacted WebhookSecret]'
 * ```
 */
export class WebhookSecret {
  /** Key id reported by `verify()` when this secret matched; undefined if none was given. */
  readonly id: string | undefined;
  /** Length of the secret in bytes. */
  readonly byteLength: number;

  /** @internal Use {@link parseSecret}. */
  constructor(bytes: Uint8Array, id: string | undefined) {
    this.id = id;
    this.byteLength = bytes.length;
    bytesOf.set(this, bytes);
    Object.freeze(this);
  }

  /** Returns a redaction marker, never the secret. */
  toString(): string {
    return REDACTED;
  }

  /** Returns a redaction marker, never the secret. */
  toJSON(): string {
    return REDACTED;
  }

  /** Node's `util.inspect` hook: a redaction marker. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/**
 * The raw bytes of a secret. Internal: not exported from the package, so user code cannot
 * read secrets back out of a {@link WebhookSecret}.
 * @internal
 */
export function secretBytes(secret: WebhookSecret): Uint8Array {
  return bytesOf.get(secret) as Uint8Array;
}

/** What {@link parseSecret} accepts. */
export type SecretInput = string | Uint8Array | WebhookSecret;

/** Options of {@link parseSecret}. */
export interface ParseSecretOptions {
  /** Key id reported by `verify()` when this secret matches. Type: `string`. */
  id?: string | undefined;
}

/**
 * Validates a secret: `whsec_` prefix optional, then strict standard base64 (canonical padding,
 * no whitespace) of 24-64 bytes. Raw bytes (`Uint8Array`) must also be 24-64 bytes long.
 *
 * @param input - `whsec_…` / base64 string, raw bytes, or an existing {@link WebhookSecret}.
 * @param options - `id` to report on a match.
 * @throws {webhook_secret_malformed} ({@link WebhookSecretError}) when the secret is invalid; the
 *   message never contains the secret.
 * @example
 * ```ts
 * const secret = parseSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
 * ```
 */
export function parseSecret(input: SecretInput, options: ParseSecretOptions = {}): WebhookSecret {
  if (input instanceof WebhookSecret) {
    return options.id === undefined || options.id === input.id
      ? input
      : new WebhookSecret(secretBytes(input), options.id);
  }
  let bytes: Uint8Array | undefined;
  if (typeof input === 'string') {
    const body = input.startsWith(SECRET_PREFIX) ? input.slice(SECRET_PREFIX.length) : input;
    bytes = fromBase64(body);
    if (!bytes) {
      throw new WebhookSecretError({
        detail: `Expected the secret to be strict base64 (optionally prefixed with ${SECRET_PREFIX}), got ${input.length} characters that are not`,
      });
    }
  } else if (input instanceof Uint8Array) {
    bytes = new Uint8Array(input);
  } else {
    throw new WebhookSecretError({ detail: `Expected the secret to be a string or Uint8Array, got ${typeof input}` });
  }
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError({
      detail: `Expected the secret to be ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${bytes.length}`,
    });
  }
  return new WebhookSecret(bytes, options.id);
}

/** Options of {@link generateSecret}. */
export interface GenerateSecretOptions {
  /** Secret length in bytes, 24-64. Type: `number`. Default: `32`. */
  bytes?: number;
}

/**
 * Generates a random secret with Web Crypto, serialized as `whsec_<base64>`. Store it; load
 * it with {@link parseSecret}.
 *
 * @throws {RangeError} when `bytes` is outside 24-64.
 * @example
 * ```ts
 * const secret = generateSecret(); // 'whsec_…' (32 random bytes)
 * ```
 */
export function generateSecret(options: GenerateSecretOptions = {}): string {
  const length = options.bytes ?? 32;
  assertNumberOption('bytes', length, { min: MIN_SECRET_BYTES, max: MAX_SECRET_BYTES, integer: true });
  return SECRET_PREFIX + toBase64(randomBytes(length));
}
