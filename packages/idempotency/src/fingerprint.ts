import { canonicalJson } from './canonical-json.js';
import { sha256Parts, utf8 } from './internal/bytes.js';

/** What {@link requestFingerprint} hashes. */
export interface FingerprintInput {
  /** HTTP method (upper-cased before hashing). */
  readonly method: string;
  /** Path and query, as received (`/v1/charges?expand=customer`). */
  readonly path: string;
  /** The request body bytes; empty when there is none. */
  readonly body: Uint8Array | string;
  /**
   * `raw` (default): the body bytes as they are — any byte change is a different request.
   * `json`: when the body parses as JSON, its {@link canonicalJson} form, so member order and
   * whitespace do not matter; a body that does not parse is hashed raw.
   */
  readonly mode?: FingerprintMode | undefined;
}

/** How {@link requestFingerprint} treats the body. */
export type FingerprintMode = 'raw' | 'json';

/**
 * The fingerprint of an HTTP request: hex SHA-256 over the length-prefixed parts
 * `v1`, method, path, body mode and body. Two requests with the same key must have the same
 * fingerprint to be treated as one; otherwise the reuse is refused (422).
 *
 * @example
 * ```ts
 * const fp = await requestFingerprint({ method: 'POST', path: '/charges', body: '{"amount":100}' });
 * ```
 */
export async function requestFingerprint(input: FingerprintInput): Promise<string> {
  const mode = input.mode ?? 'raw';
  const raw = typeof input.body === 'string' ? utf8(input.body) : input.body;
  let body: Uint8Array = raw;
  let used: FingerprintMode = 'raw';
  if (mode === 'json' && raw.length > 0) {
    const canonical = tryCanonical(raw);
    if (canonical !== undefined) {
      body = utf8(canonical);
      used = 'json';
    }
  }
  return sha256Parts(['v1', input.method.toUpperCase(), input.path, used, body]);
}

function tryCanonical(raw: Uint8Array): string | undefined {
  try {
    return canonicalJson(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)));
  } catch {
    return undefined;
  }
}

/**
 * The fingerprint of any JSON value (for the core API): hex SHA-256 of its
 * {@link canonicalJson} form, so member order does not matter.
 *
 * @throws {TypeError} when the value is not representable as JSON.
 * @example
 * ```ts
 * await idempotency.run(key, () => charge(input), { fingerprint: await fingerprintOf(input) });
 * ```
 */
export async function fingerprintOf(value: unknown): Promise<string> {
  return sha256Parts(['v1', 'value', canonicalJson(value)]);
}
