import { idempotencyErrors } from './errors/codes.js';

/** The request header that carries the key (draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Longest key accepted by default, in characters (Stripe's bound; the draft sets none). */
export const DEFAULT_MAX_KEY_LENGTH = 255;

/** Options of {@link parseIdempotencyKey}. */
export interface ParseKeyOptions {
  /** Longest key accepted, in characters after unescaping. @defaultValue 255 */
  readonly maxLength?: number | undefined;
}

function invalid(detail: string): Error {
  return idempotencyErrors.err('idempotency_key_invalid', { detail });
}

/**
 * Parses an `Idempotency-Key` field value strictly as one RFC 8941 sf-string
 * (`Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`): surrounding spaces are allowed,
 * inside the quotes only printable ASCII with `\"` and `\\` escapes. Rejected: a missing or
 * unterminated quote, an empty key, a key over `maxLength`, control or non-ASCII characters, any
 * other escape, parameters (`"k";a=1` — the draft defines none, and ignoring them would let two
 * different field values alias one key), lists (`"a", "b"`, also what two header lines combine
 * into) and tokens (`abc`, unquoted).
 *
 * @param value - The field value; `undefined`/`null` when the header is absent. An array (Node
 * repeated headers) with more than one value is rejected.
 * @returns The key (unescaped), or `undefined` when the header is absent.
 * @throws {idempotency_key_invalid} when the value is present but not a valid key; the detail
 * never echoes the key.
 * @example
 * ```ts
 * parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"'); // '8e03978e-…'
 * parseIdempotencyKey(null); // undefined
 * ```
 */
export function parseIdempotencyKey(
  value: string | readonly string[] | null | undefined,
  options: ParseKeyOptions = {},
): string | undefined {
  if (value === undefined || value === null) return undefined;
  let field: string;
  if (typeof value === 'string') field = value;
  else if (value.length === 0) return undefined;
  else if (value.length > 1) throw invalid('Idempotency-Key was sent more than once');
  else field = value[0] as string;
  const maxLength = options.maxLength ?? DEFAULT_MAX_KEY_LENGTH;
  const text = field.replace(/^[ \t]+|[ \t]+$/g, '');
  if (text.charCodeAt(0) !== 0x22) {
    throw invalid('Idempotency-Key must be a quoted structured-field string, e.g. "4f9c…"');
  }
  let key = '';
  let i = 1;
  for (;;) {
    if (i >= text.length) throw invalid('Idempotency-Key has no closing quote');
    const code = text.charCodeAt(i);
    if (code === 0x5c) {
      const next = text.charCodeAt(i + 1);
      if (next !== 0x22 && next !== 0x5c) throw invalid('Idempotency-Key has an invalid escape (only \\" and \\\\)');
      key += text[i + 1];
      i += 2;
    } else if (code === 0x22) {
      break;
    } else if (code < 0x20 || code > 0x7e) {
      throw invalid('Idempotency-Key may contain printable ASCII characters only');
    } else {
      key += text[i];
      i += 1;
    }
    if (key.length > maxLength) throw invalid(`Idempotency-Key is longer than ${maxLength} characters`);
  }
  if (i !== text.length - 1) {
    throw invalid('Idempotency-Key must be a single string without parameters or list members');
  }
  if (key.length === 0) throw invalid('Idempotency-Key is empty');
  return key;
}

/**
 * Serializes a key as an sf-string field value (the client side of {@link parseIdempotencyKey}).
 *
 * @throws {idempotency_key_invalid} when the key is empty or not printable ASCII.
 * @example
 * ```ts
 * headers.set('Idempotency-Key', formatIdempotencyKey(crypto.randomUUID()));
 * ```
 */
export function formatIdempotencyKey(key: string): string {
  if (key.length === 0) throw invalid('Idempotency-Key is empty');
  if (!/^[\x20-\x7e]*$/.test(key)) throw invalid('Idempotency-Key may contain printable ASCII characters only');
  return `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
