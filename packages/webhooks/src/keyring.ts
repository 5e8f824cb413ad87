import { parseSecret, type SecretInput, type WebhookSecret } from './secret.js';

/** One key of a {@link Keyring}. */
export interface KeyringEntry {
  /** Key id, reported by `verify()` as `keyId` when this key matched. */
  readonly id: string;
  /** The secret (`whsec_…`, base64, bytes or a parsed secret). */
  readonly secret: SecretInput;
  /** First instant the key is live (epoch ms or Date). Default: always. */
  readonly notBefore?: number | Date;
  /** Instant the key stops being live (epoch ms or Date, exclusive). Default: never. */
  readonly notAfter?: number | Date;
}

/**
 * A set of secrets with validity windows, for rotation: `sign()` signs with every live key
 * (current + next during the overlap) and `verify()` accepts any live key and reports its id.
 */
export interface Keyring {
  /** The keys live at `nowMs` (`notBefore <= now < notAfter`), in insertion order. */
  live(nowMs: number): readonly WebhookSecret[];
  /** Ids of all keys, live or not. */
  readonly ids: readonly string[];
}

interface ParsedEntry {
  readonly secret: WebhookSecret;
  readonly from: number;
  readonly until: number;
}

function instant(name: string, value: number | Date | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw new TypeError(`Expected \`${name}\` to be a Date or epoch ms`);
  return ms;
}

/**
 * Creates a rotation keyring. Entries are validated once: ids must be unique and non-empty,
 * secrets valid, and `notBefore < notAfter`.
 *
 * @param entries - `{ id, secret, notBefore?, notAfter? }` for each key.
 * @throws {webhook_secret_malformed} when a secret is invalid.
 * @throws {TypeError} when ids repeat or a window is empty.
 * @example
 * ```ts
 * const keyring = createKeyring([
 *   { id: '2026-01', secret: process.env.WEBHOOK_SECRET_OLD!, notAfter: Date.parse('2026-02-01') },
 *   { id: '2026-02', secret: process.env.WEBHOOK_SECRET_NEW! },
 * ]);
 * await verify({ headers, body, secrets: keyring }); // → { keyId: '2026-02', ... }
 * ```
 */
export function createKeyring(entries: readonly KeyringEntry[]): Keyring {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new TypeError('Expected `entries` to be a non-empty array of { id, secret }');
  }
  const seen = new Set<string>();
  const parsed: ParsedEntry[] = entries.map((entry, index) => {
    if (typeof entry.id !== 'string' || entry.id === '') {
      throw new TypeError(`Expected \`entries[${index}].id\` to be a non-empty string`);
    }
    if (seen.has(entry.id)) throw new TypeError(`Duplicate key id \`${entry.id}\` in \`entries\``);
    seen.add(entry.id);
    const from = instant(`entries[${index}].notBefore`, entry.notBefore, Number.NEGATIVE_INFINITY);
    const until = instant(`entries[${index}].notAfter`, entry.notAfter, Number.POSITIVE_INFINITY);
    if (!(from < until)) throw new TypeError(`Expected \`entries[${index}].notBefore\` to be before \`notAfter\``);
    return { secret: parseSecret(entry.secret, { id: entry.id }), from, until };
  });
  const ids = Object.freeze([...seen]);
  return Object.freeze({
    ids,
    live(nowMs: number): readonly WebhookSecret[] {
      return parsed.filter((e) => e.from <= nowMs && nowMs < e.until).map((e) => e.secret);
    },
  });
}

/** @internal Whether `value` is a keyring. */
export function isKeyring(value: unknown): value is Keyring {
  return typeof value === 'object' && value !== null && typeof (value as Keyring).live === 'function';
}
