import { type HeaderInput, readHeader, requireHeader } from '../internal/headers.js';
import { verificationError } from '../internal/verification-error.js';
import { MAX_HEADER_LENGTH } from './preset.js';

/**
 * Reads a required preset header, rejecting oversized values before anything else looks at them.
 * @throws {webhook_header_missing} when absent or empty.
 * @throws {webhook_header_malformed} when repeated, not a string or longer than 8 KiB.
 */
export function presetHeader(headers: HeaderInput, name: string): string {
  return bounded(requireHeader(headers, name), name);
}

/** An optional preset header (e.g. an unsigned delivery id), bounded like the others. */
export function optionalPresetHeader(headers: HeaderInput, name: string): string | undefined {
  const value = readHeader(headers, name);
  return value === undefined ? undefined : bounded(value, name);
}

function bounded(value: string, name: string): string {
  if (value.length > MAX_HEADER_LENGTH) {
    throw verificationError('webhook_header_malformed', {
      detail: `Header ${name} is longer than ${MAX_HEADER_LENGTH} characters`,
    });
  }
  return value;
}

/** A header-grammar failure. */
export function malformed(header: string, detail: string) {
  return verificationError('webhook_header_malformed', { detail: `Header ${header}: ${detail}` });
}

/** Lowercase hex of a SHA-256 MAC. */
export const HEX_256 = /^[0-9a-f]{64}$/;
/** Canonical base64 of exactly 32 bytes. */
export const BASE64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** Canonical base64 of exactly 20 bytes (SHA-1). */
export const BASE64_20 = /^[A-Za-z0-9+/]{26}[AEIMQUYcgkosw048]=$/;
