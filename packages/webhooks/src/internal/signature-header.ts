import { WebhookVerificationError } from '../errors/webhook-error.js';

/** One signature from a signature header, kept in its canonical text encoding. */
export interface HeaderSignature {
  readonly version: 'v1' | 'v1a';
  /** Lowercase hex (Bulwark v1) or canonical base64 (Standard Webhooks). */
  readonly value: string;
}

const MAX_SIGNATURES = 16;
const BULWARK_ENTRY = /^(v[0-9][0-9a-z]{0,7})=([0-9A-Za-z+/=_-]{1,512})$/;
const STANDARD_ENTRY = /^(v[0-9][0-9a-z]{0,7}),([0-9A-Za-z+/=_-]{1,512})$/;
const HEX_32 = /^[0-9a-f]{64}$/;
/** Canonical base64 of exactly 32 bytes: the last data character carries 2 zero bits. */
const BASE64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** Canonical base64 of exactly 64 bytes: the last data character carries 4 zero bits. */
const BASE64_64 = /^[A-Za-z0-9+/]{85}[AQgw]==$/;

function malformed(header: string, detail: string): WebhookVerificationError {
  return new WebhookVerificationError('webhook_header_malformed', { detail: `Header ${header}: ${detail}` });
}

function entries(value: string, header: string): string[] {
  if (!value.includes(' ')) return [value];
  const parts = value.split(' ');
  if (parts.length > MAX_SIGNATURES) throw malformed(header, `more than ${MAX_SIGNATURES} signatures`);
  for (const part of parts) {
    if (part === '') throw malformed(header, 'signatures must be separated by exactly one space');
  }
  return parts;
}

/**
 * Parses a Bulwark signature header: `v1=<64 lowercase hex>` entries separated by one space.
 * Entries of unknown versions are skipped (forward compatibility); a `v1` entry with a value
 * that is not exactly 64 lowercase hex digits (truncated, uppercase) is malformed.
 */
export function parseBulwarkSignatures(value: string, header: string): HeaderSignature[] {
  const out: HeaderSignature[] = [];
  for (const entry of entries(value, header)) {
    const match = BULWARK_ENTRY.exec(entry);
    if (!match) throw malformed(header, 'each signature must be `<version>=<value>`');
    if (match[1] !== 'v1') continue;
    if (!HEX_32.test(match[2]!)) throw malformed(header, 'a v1 signature must be 64 lowercase hex digits');
    out.push({ version: 'v1', value: match[2]! });
  }
  return out;
}

/**
 * Parses a Standard Webhooks signature header: `v1,<base64 of 32 bytes>` (HMAC) and
 * `v1a,<base64 of 64 bytes>` (Ed25519) entries separated by one space, canonical base64 only.
 * Unknown versions are skipped.
 */
export function parseStandardSignatures(value: string, header: string): HeaderSignature[] {
  const out: HeaderSignature[] = [];
  for (const entry of entries(value, header)) {
    const match = STANDARD_ENTRY.exec(entry);
    if (!match) throw malformed(header, 'each signature must be `<version>,<base64>`');
    const version = match[1];
    if (version !== 'v1' && version !== 'v1a') continue;
    const valid = (version === 'v1' ? BASE64_32 : BASE64_64).test(match[2]!);
    if (!valid) {
      throw malformed(header, `a ${version} signature must be canonical base64 of ${version === 'v1' ? 32 : 64} bytes`);
    }
    out.push({ version, value: match[2]! });
  }
  return out;
}
