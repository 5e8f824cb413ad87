import type { WebhookScheme } from '../schemes.js';
import type { Chunk, CryptoEngine } from './crypto-engine.js';
import { concatBytes, utf8 } from './encoding.js';

/**
 * The bytes a scheme MACs, as chunks (so node:crypto can stream them without copying):
 * - bulwark: `${timestamp}.${nonce}.${hex(sha256(body))}`
 * - standard: `${id}.${timestamp}.` followed by the body bytes
 */
export function signedChunks(
  engine: CryptoEngine,
  scheme: WebhookScheme,
  id: string,
  timestamp: number | string,
  body: Chunk,
): readonly Chunk[] | Promise<readonly Chunk[]> {
  if (scheme === 'standard') return [`${id}.${timestamp}.`, body];
  const digest = engine.sha256Hex(body);
  if (typeof digest === 'string') return [`${timestamp}.${id}.${digest}`];
  return digest.then((hex) => [`${timestamp}.${id}.${hex}`]);
}

/** The chunks as one byte array (for Ed25519, which signs a single message). */
export function joinChunks(chunks: readonly Chunk[]): Uint8Array {
  return concatBytes(chunks.map((c) => (typeof c === 'string' ? utf8.encode(c) : c)));
}
