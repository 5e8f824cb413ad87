// Endpoint signing secrets are sealed at rest (AES-256-GCM, a random 96-bit IV per secret), so a
// D1 export or backup never holds a usable secret. The key is the `SECRETS_KEY` Worker secret.
const keys = new Map<string, Promise<CryptoKey>>();

function bytes(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function base64(data: Uint8Array): string {
  return btoa(String.fromCharCode(...data));
}

function keyFor(secretsKey: string): Promise<CryptoKey> {
  let key = keys.get(secretsKey);
  if (key === undefined) {
    const raw = bytes(secretsKey);
    if (raw.byteLength !== 32) throw new TypeError('Expected `SECRETS_KEY` to be 32 bytes, base64');
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    keys.set(secretsKey, key);
  }
  return key;
}

/** Seals `secret` as `v1.<iv>.<ciphertext>` (base64). */
export async function seal(secret: string, secretsKey: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await keyFor(secretsKey),
    new TextEncoder().encode(secret),
  );
  return `v1.${base64(iv)}.${base64(new Uint8Array(sealed))}`;
}

/** Opens a value written by {@link seal}; throws when it was tampered with or sealed under another key. */
export async function unseal(value: string, secretsKey: string): Promise<string> {
  const [version, iv, data] = value.split('.');
  if (version !== 'v1' || iv === undefined || data === undefined) throw new TypeError('Unknown sealed secret format');
  const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes(iv) }, await keyFor(secretsKey), bytes(data));
  return new TextDecoder().decode(opened);
}
