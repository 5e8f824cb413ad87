import { RateLimitKeyError } from './errors/rate-limit-key-error.js';

/** Keys longer than this (default) are replaced by `sha256:<hex>` of the key. */
export const DEFAULT_MAX_KEY_LENGTH = 256;

/**
 * Checks a key and returns the form stores see: the key itself, or `sha256:` + the hex SHA-256
 * of its UTF-8 bytes when it is longer than `maxLength` (so a huge header value cannot blow up
 * memory or Redis keys). Empty and non-string keys are rejected.
 *
 * @throws {rate_limit_invalid_key} as a rejected promise for an empty or non-string key.
 * @internal
 */
export function normalizeKey(key: unknown, maxLength: number): string | Promise<string> {
  if (typeof key !== 'string' || key.length === 0) {
    return Promise.reject(new RateLimitKeyError(`Expected the key to be a non-empty string, got ${describe(key)}`));
  }
  if (key.length <= maxLength) return key;
  return sha256Hex(key).then((hex) => `sha256:${hex}`);
}

/** Hex SHA-256 of the UTF-8 bytes of `text` (Web Crypto). @internal */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? 'an empty string' : typeof value;
}
