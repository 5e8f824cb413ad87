import { EmailWebhookError } from '../errors/email-webhook-error.js';
import type { EmailWebhookRequest } from '../events.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A case-insensitive header reader over either header shape. @internal */
export function headerReader(headers: EmailWebhookRequest['headers']): (name: string) => string | undefined {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  const lower = new Map<string, string>();
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) lower.set(key.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  return (name) => lower.get(name.toLowerCase());
}

/** The raw body as text. @throws {email_webhook_malformed} on invalid UTF-8. @internal */
export function bodyText(rawBody: string | Uint8Array, provider: string): string {
  if (typeof rawBody === 'string') return rawBody;
  try {
    return decoder.decode(rawBody);
  } catch (error) {
    throw new EmailWebhookError('email_webhook_malformed', provider, 'The body is not valid UTF-8', error);
  }
}

/** The raw body as bytes. @internal */
export function bodyBytes(rawBody: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof rawBody === 'string'
    ? (new TextEncoder().encode(rawBody) as Uint8Array<ArrayBuffer>)
    : new Uint8Array(rawBody);
}

/**
 * Parses JSON, turning integers too large for a double (Postmark's bounce `ID`) into
 * strings so no digit is lost. @throws {email_webhook_malformed} @internal
 */
export function parseJsonBody(text: string, provider: string): unknown {
  try {
    // Only bodies with a 16+ digit run can hold an unsafe integer: skip the scan otherwise.
    return JSON.parse(/\d{16}/.test(text) ? quoteUnsafeIntegers(text) : text) as unknown;
  } catch (error) {
    throw new EmailWebhookError('email_webhook_malformed', provider, 'The body is not valid JSON', error);
  }
}

/** Quotes integer literals outside strings that exceed Number.MAX_SAFE_INTEGER. @internal */
export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const literal = match?.[0] ?? ch;
      const isInteger = match !== null && match[1] === undefined && match[2] === undefined;
      out += isInteger && !Number.isSafeInteger(Number(literal)) ? `"${literal}"` : literal;
      i += literal.length;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

/**
 * Reads a provider timestamp: ISO string, epoch seconds (int or float, number or string)
 * or epoch milliseconds. @internal
 */
export function toDate(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value > 1e11 ? value : Math.round(value * 1000));
  }
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return toDate(Number(value));
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return undefined;
}

/** Keeps string-valued entries of an object (numbers are stringified). @internal */
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
  }
  return out;
}

/** A malformed-payload error. @internal */
export function malformed(provider: string, detail: string, cause?: unknown): EmailWebhookError {
  return new EmailWebhookError('email_webhook_malformed', provider, detail, cause);
}

/** A failed-authentication error. @internal */
export function unauthentic(provider: string, detail: string, cause?: unknown): EmailWebhookError {
  return new EmailWebhookError('email_webhook_signature_invalid', provider, detail, cause);
}

/**
 * Wraps a replay store so that a store failure (Redis down, closed connection) refuses the
 * request with a typed, retryable `email_webhook_replay_unavailable` instead of the store's own
 * error: fail closed, and say so. @internal
 */
export function failClosedReplayStore<S extends { claim(key: string, ttlMs: number): boolean | Promise<boolean> }>(
  store: S,
  provider: string,
): { claim(key: string, ttlMs: number): Promise<boolean> } {
  return {
    async claim(key, ttlMs) {
      try {
        return await store.claim(key, ttlMs);
      } catch (error) {
        throw new EmailWebhookError(
          'email_webhook_replay_unavailable',
          provider,
          'The replay store could not be asked whether this webhook was seen before; refused',
          error,
        );
      }
    },
  };
}
