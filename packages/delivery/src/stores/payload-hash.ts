import { createHash } from 'node:crypto';

/**
 * SHA-256 (base64url) of a payload body: the key under which the SQLite and Redis stores keep
 * one copy of it, shared by every delivery with that body (one per endpoint of a message).
 */
export function payloadHash(payload: string): string {
  return createHash('sha256').update(payload).digest('base64url');
}
