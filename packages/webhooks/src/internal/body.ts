import { verificationError } from './verification-error.js';

/**
 * A raw body, taken byte-exact: a string (its UTF-8 bytes), a `Uint8Array` (Node `Buffer`
 * included), an `ArrayBuffer`, or any other `ArrayBufferView`.
 */
export type BodyInput = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * Normalizes a body to a string or bytes without copying.
 * @throws {webhook_body_unsupported} for anything else (e.g. an object a JSON parser produced).
 */
export function normalizeBody(body: unknown): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const parsed = typeof body === 'object' && body !== null;
  throw verificationError('webhook_body_unsupported', {
    detail: parsed
      ? 'The body is an already-parsed object; pass the raw request body (string or bytes) instead'
      : `Expected the body to be a string, Uint8Array or ArrayBuffer, got ${body === null ? 'null' : typeof body}`,
    extensions: parsed ? { hint: 'body_parsed' } : undefined,
  });
}
