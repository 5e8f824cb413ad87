// Byte helpers on Web APIs only (TextEncoder, btoa/atob, crypto.subtle): the core stays edge-safe.

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. @internal */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. @internal */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/** Standard base64 of bytes (chunked, so large bodies do not overflow the argument list). @internal */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes of standard base64. @internal */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

interface NodeHash {
  update(data: Uint8Array): NodeHash;
  digest(encoding: 'hex'): string;
}
type CreateHash = (algorithm: 'sha256') => NodeHash;

/**
 * Node's synchronous `createHash`, found at runtime through `process.getBuiltinModule` (Node ≥ 20.16)
 * without a static `node:` import, so this module still loads on edge runtimes. Web Crypto's
 * `digest` hops to a thread pool: on Node the synchronous hash is an order of magnitude cheaper
 * for the short inputs hashed per request.
 */
/** Looks up `createHash` through `process.getBuiltinModule`, when the runtime has one. @internal */
export function findCreateHash(proc: unknown): CreateHash | undefined {
  const getBuiltin = (proc as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return undefined;
  const module = getBuiltin('node:crypto') as { createHash?: CreateHash } | undefined;
  return typeof module?.createHash === 'function' ? module.createHash : undefined;
}

const nodeCreateHash = findCreateHash((globalThis as { process?: unknown }).process) ?? null;

/**
 * SHA-256 over length-prefixed parts: each part is preceded by its byte length as 4 big-endian
 * bytes, so no two different part lists hash the same input (`["ab","c"]` vs `["a","bc"]`).
 * @internal
 */
export async function sha256Parts(
  parts: ReadonlyArray<string | Uint8Array>,
  createHash: CreateHash | null = nodeCreateHash,
): Promise<string> {
  const encoded = parts.map((part) => (typeof part === 'string' ? utf8(part) : part));
  const total = encoded.reduce((sum, part) => sum + 4 + part.length, 0);
  const input = new Uint8Array(total);
  const view = new DataView(input.buffer);
  let offset = 0;
  for (const part of encoded) {
    view.setUint32(offset, part.length);
    input.set(part, offset + 4);
    offset += 4 + part.length;
  }
  if (createHash) return createHash('sha256').update(input).digest('hex');
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
}

/**
 * A random token as 32 hex digits, 122 of its bits random (a lock owner's id). `randomUUID`
 * draws from a buffered entropy pool on Node, where `getRandomValues` is a system call each time.
 * @internal
 */
export function randomToken(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
