import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKeyRing } from './data-keys.js';

/** Seals and opens stored secrets with AES-256-GCM under the key ring. */
export interface SecretBox {
  /** `bwenc1.<keyId>.<iv>.<ciphertext+tag>`, bound to `context` (e.g. the endpoint id). */
  seal(plaintext: string, context: string): string;
  /** The plaintext; a value without the prefix is returned as is (written before encryption). */
  open(value: string, context: string): string;
  /** Whether `value` is sealed with the current key (the re-encrypt command skips those). */
  isCurrent(value: string): boolean;
}

const PREFIX = 'bwenc1';

/** A secret box over a key ring. Contexts are authenticated data: a sealed value moved to another record fails to open. */
export function createSecretBox(keys: DataKeyRing): SecretBox {
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [PREFIX, keys.current.id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
    },
    open(value, context) {
      const [prefix, id, iv, sealed, extra] = value.split('.');
      if (prefix !== PREFIX) return value;
      const key = keys.byId.get(id ?? '');
      if (!key || iv === undefined || sealed === undefined || extra !== undefined) {
        throw new Error(`a stored secret is sealed with unknown key id '${id}' (add it to DATA_ENCRYPTION_KEYS)`);
      }
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    },
    isCurrent: (value) => value.startsWith(`${PREFIX}.${keys.current.id}.`),
  };
}
