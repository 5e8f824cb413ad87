import { verificationError } from './verification-error.js';

/** A WHATWG `Headers` (or anything with a case-insensitive `get`). */
export interface HeadersLike {
  get(name: string): string | null;
}

/**
 * Headers as the runtimes hand them out: WHATWG `Headers`, Node's `IncomingHttpHeaders`
 * (`string | string[] | undefined` values, lowercase keys), or a plain record (any key case).
 */
export type HeaderInput = HeadersLike | Readonly<Record<string, string | readonly string[] | undefined>>;

function isHeadersLike(headers: HeaderInput): headers is HeadersLike {
  return typeof (headers as HeadersLike).get === 'function';
}

function lookup(headers: HeaderInput, name: string): string | readonly string[] | undefined | null {
  if (typeof headers !== 'object' || headers === null) {
    throw verificationError('webhook_header_malformed', { detail: 'Expected `headers` to be an object' });
  }
  if (isHeadersLike(headers)) return headers.get(name);
  const record = headers as Readonly<Record<string, unknown>>;
  if (Object.hasOwn(record, name)) return record[name] as string | readonly string[] | undefined;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) return record[key] as string | readonly string[] | undefined;
  }
  return undefined;
}

/**
 * Reads one header. Arrays of one element are unwrapped; several values and non-string values
 * are rejected, so a header can never be ambiguous. Empty means absent.
 *
 * @param name - Lowercase header name.
 * @throws {webhook_header_malformed} when repeated or not a string.
 */
export function readHeader(headers: HeaderInput, name: string): string | undefined {
  let value = lookup(headers, name);
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw verificationError('webhook_header_malformed', {
        detail: `Header ${name} was sent ${value.length} times; send it once`,
      });
    }
    value = value[0];
  }
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw verificationError('webhook_header_malformed', { detail: `Header ${name} is not a string` });
  }
  return value;
}

/**
 * Reads one required header.
 * @throws {webhook_header_missing} when absent or empty.
 * @throws {webhook_header_malformed} when repeated or not a string.
 */
export function requireHeader(headers: HeaderInput, name: string): string {
  const value = readHeader(headers, name);
  if (value === undefined) {
    throw verificationError('webhook_header_missing', { detail: `Missing header ${name}` });
  }
  return value;
}
