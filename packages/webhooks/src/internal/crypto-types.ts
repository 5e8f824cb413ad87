import type { WebhookSecret } from '../secret.js';

/** Bytes to MAC: strings are UTF-8, byte arrays are taken as they are. */
export type Chunk = string | Uint8Array;

/** Text encoding of a MAC: `hex` (lowercase) or `base64` (standard, padded). */
export type MacEncoding = 'hex' | 'base64';

/**
 * The primitives the schemes need. Results are sync on the node:crypto fast path and promises on
 * Web Crypto; callers await only when needed. (Shared by both engines, so neither imports the
 * other's module for its types.)
 */
export interface CryptoEngine {
  readonly name: 'node' | 'webcrypto';
  hmacSha256(secret: WebhookSecret, chunks: readonly Chunk[], encoding: MacEncoding): string | Promise<string>;
  /** HMAC-SHA1, for provider schemes that still use it (Twilio). */
  hmacSha1(secret: WebhookSecret, chunks: readonly Chunk[], encoding: MacEncoding): string | Promise<string>;
  sha256Hex(data: Chunk): string | Promise<string>;
}
