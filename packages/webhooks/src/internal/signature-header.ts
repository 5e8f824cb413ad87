import type { WebhookVerificationError } from '../errors/webhook-error.js';
import { verificationError } from './verification-error.js';

/** One signature from a signature header, kept in its canonical text encoding. */
export interface HeaderSignature {
  readonly version: 'v1' | 'v1a';
  /** Lowercase hex (Bulwark v1) or canonical base64 (Standard Webhooks). */
  readonly value: string;
}

const MAX_SIGNATURES = 16;
const BULWARK_ENTRY = /^(v[0-9][0-9a-z]{0,7})=([0-9A-Za-z+/=_-]{1,512})$/;
const STANDARD_ENTRY = /^(v[0-9][0-9a-z]{0,7}),([0-9A-Za-z+/=_-]{1,512})$/;
/** Canonical base64 of exactly 64 bytes: the last data character carries 4 zero bits. */
const BASE64_64 = /^[A-Za-z0-9+/]{85}[AQgw]==$/;
/** A well-formed Bulwark `v1` entry: 64 lowercase hex digits. */
const BULWARK_V1 = /^v1=[0-9a-f]{64}$/;
/**
 * A well-formed Standard Webhooks `v1` entry: canonical base64 of exactly 32 bytes (the last
 * data character carries 2 zero bits).
 */
const STANDARD_V1 = /^v1,[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** Length of the `v1=` / `v1,` prefix. */
const V1_PREFIX = 3;

function malformed(header: string, detail: string): WebhookVerificationError {
  return verificationError('webhook_header_malformed', { detail: `Header ${header}: ${detail}` });
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
 * that is not exactly 64 lowercase hex digits (truncated, uppercase) is malformed. A well-formed
 * `v1` entry (the common case) is recognized by one pattern, without capture groups.
 */
export function parseBulwarkSignatures(value: string, header: string): HeaderSignature[] {
  const out: HeaderSignature[] = [];
  for (const entry of entries(value, header)) {
    if (BULWARK_V1.test(entry)) {
      out.push({ version: 'v1', value: entry.slice(V1_PREFIX) });
      continue;
    }
    const match = BULWARK_ENTRY.exec(entry);
    if (!match) throw malformed(header, 'each signature must be `<version>=<value>`');
    if (match[1] === 'v1') throw malformed(header, 'a v1 signature must be 64 lowercase hex digits');
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
    if (STANDARD_V1.test(entry)) {
      out.push({ version: 'v1', value: entry.slice(V1_PREFIX) });
      continue;
    }
    const match = STANDARD_ENTRY.exec(entry);
    if (!match) throw malformed(header, 'each signature must be `<version>,<base64>`');
    const version = match[1];
    if (version === 'v1') throw malformed(header, 'a v1 signature must be canonical base64 of 32 bytes');
    if (version !== 'v1a') continue;
    if (!BASE64_64.test(match[2]!)) throw malformed(header, 'a v1a signature must be canonical base64 of 64 bytes');
    out.push({ version, value: match[2]! });
  }
  return out;
}
