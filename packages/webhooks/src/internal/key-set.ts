import { type Ed25519PrivateKey, type Ed25519PublicKey, parsePrivateKey, parsePublicKey } from '../ed25519.js';
import { isKeyring, type Keyring } from '../keyring.js';
import { parseSecret, type SecretInput, type WebhookSecret } from '../secret.js';

/** Secrets option of `sign`/`verify`: one secret, a list (rotation), or a {@link Keyring}. */
export type SecretsOption = SecretInput | readonly SecretInput[] | Keyring;

/** A key with the id `verify()` reports when it matches. */
export interface IdentifiedKey<K> {
  readonly key: K;
  readonly keyId: string;
}

const PARSE_CACHE_LIMIT = 256;
const parsed = new Map<string, WebhookSecret>();

/**
 * Parses string secrets once per process (bounded), so one-shot `verify()` calls stay cheap. The
 * strings are the ones the caller already holds (typically from the environment); the cache adds
 * no copy of a secret beyond the parsed key.
 */
export function cachedSecret(input: SecretInput): WebhookSecret {
  if (typeof input !== 'string') return parseSecret(input);
  let secret = parsed.get(input);
  if (!secret) {
    secret = parseSecret(input);
    if (parsed.size >= PARSE_CACHE_LIMIT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(input, secret);
  }
  return secret;
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** Resolves the secrets option into a function of time returning the live keys. */
export function resolveSecrets(option: SecretsOption): (nowMs: number) => readonly IdentifiedKey<WebhookSecret>[] {
  if (isKeyring(option)) {
    return (nowMs) => option.live(nowMs).map((key) => ({ key, keyId: key.id as string }));
  }
  const keys = list(option).map((input, index) => {
    const key = cachedSecret(input);
    return { key, keyId: key.id ?? String(index) };
  });
  if (keys.length === 0) throw new TypeError('Expected `secrets` to hold at least one secret');
  return () => keys;
}

/** Parses the Ed25519 public keys option. */
export function resolvePublicKeys(
  option: Parameters<typeof parsePublicKey>[0] | readonly Parameters<typeof parsePublicKey>[0][],
): readonly IdentifiedKey<Ed25519PublicKey>[] {
  return list(option).map((input, index) => {
    const key = parsePublicKey(input);
    return { key, keyId: key.id ?? `ed25519:${index}` };
  });
}

/** Parses the Ed25519 private keys option. */
export function resolvePrivateKeys(
  option: Parameters<typeof parsePrivateKey>[0] | readonly Parameters<typeof parsePrivateKey>[0][],
): readonly Ed25519PrivateKey[] {
  return list(option).map((input) => parsePrivateKey(input));
}
