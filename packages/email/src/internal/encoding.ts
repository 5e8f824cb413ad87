const encoder = new TextEncoder();

/** UTF-8 bytes of a string. @internal */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** Decodes standard or URL-safe base64; `undefined` when malformed. @internal */
export function base64ToBytes(input: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = input.replace(/\s+/g, '').replaceAll('-', '+').replaceAll('_', '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  try {
    const binary = atob(clean);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** Standard base64 of bytes. @internal */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Lower-case hex of bytes. @internal */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Attachment content as base64 (strings are taken to be base64 already). @internal */
export function attachmentBase64(content: string | Uint8Array): string {
  return typeof content === 'string' ? content.replace(/\s+/g, '') : bytesToBase64(content);
}

/** Decoded size of attachment content in bytes. @internal */
export function attachmentSize(content: string | Uint8Array): number {
  if (typeof content !== 'string') return content.byteLength;
  const clean = content.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

/** Attachment content as bytes. @internal */
export function attachmentBytes(content: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof content !== 'string') return new Uint8Array(content);
  return base64ToBytes(content) ?? new Uint8Array();
}
