import { WebhookSecretError } from '../errors/webhook-error.js';
import { utf8 } from '../internal/encoding.js';
import type { IdentifiedKey } from '../internal/key-set.js';
import { WebhookSecret } from '../secret.js';

/**
 * One provider secret with the id a verification reports when it matched.
 *
 * @example
 * ```ts
 * const entry: ProviderSecretEntry = { id: '2026-02', secret: process.env.SLACK_SIGNING_SECRET! };
 * ```
 */
export interface ProviderSecretEntry {
  /** Reported as `keyId` when this secret matched (e.g. `'2026-02'`). */
  readonly id: string;
  /** The secret exactly as the provider shows it (its UTF-8 bytes are the HMAC key). */
  readonly secret: string;
}

/**
 * Secrets of a provider preset: one, or several during a rotation (`keyId` is the entry's `id`,
 * or the index in the list for a bare string).
 *
 * @example
 * ```ts
 * const secrets: ProviderSecretsOption = [
 *   { id: 'old', secret: process.env.GITHUB_WEBHOOK_SECRET_OLD! },
 *   { id: 'new', secret: process.env.GITHUB_WEBHOOK_SECRET! },
 * ];
 * ```
 */
export type ProviderSecretsOption = string | ProviderSecretEntry | readonly (string | ProviderSecretEntry)[];

/** Longest accepted provider secret, in UTF-8 bytes. */
const MAX_PROVIDER_SECRET_BYTES = 1024;

/**
 * Parses provider secrets once. Providers hand out text secrets (a Stripe `whsec_…`, a Slack
 * signing secret, a Twilio auth token, a HubSpot client secret) and key their HMAC with the UTF-8
 * bytes of that text, so nothing is decoded. The parsed keys redact themselves like every
 * {@link WebhookSecret}.
 *
 * @param check - A provider-specific shape check returning a problem, or undefined.
 * @throws {webhook_secret_malformed} for an empty, oversized, non-string or misshapen secret (the
 *   message never contains the secret).
 */
export function resolveProviderSecrets(
  option: ProviderSecretsOption,
  check?: (secret: string) => string | undefined,
): readonly IdentifiedKey<WebhookSecret>[] {
  const list = (Array.isArray(option) ? option : [option]) as readonly (string | ProviderSecretEntry)[];
  if (list.length === 0) throw new TypeError('Expected `secrets` to hold at least one secret');
  const ids = new Set<string>();
  return list.map((entry, index) => {
    if (typeof entry !== 'string' && (typeof entry !== 'object' || entry === null)) {
      throw new WebhookSecretError({
        detail: `Expected \`secrets[${index}]\` to be a non-empty string or { id, secret }, got ${entry === null ? 'null' : typeof entry}`,
      });
    }
    const text = typeof entry === 'string' ? entry : entry.secret;
    const id = typeof entry === 'string' ? String(index) : entry.id;
    if (typeof id !== 'string' || id === '') {
      throw new TypeError(`Expected \`secrets[${index}].id\` to be a non-empty string`);
    }
    if (ids.has(id)) throw new TypeError(`Duplicate key id \`${id}\` in \`secrets\``);
    ids.add(id);
    if (typeof text !== 'string' || text === '') {
      throw new WebhookSecretError({ detail: `Expected \`secrets[${index}]\` to be a non-empty string` });
    }
    const bytes = utf8.encode(text);
    if (bytes.length > MAX_PROVIDER_SECRET_BYTES) {
      throw new WebhookSecretError({
        detail: `Expected \`secrets[${index}]\` to be at most ${MAX_PROVIDER_SECRET_BYTES} bytes, got ${bytes.length}`,
      });
    }
    const problem = check?.(text);
    if (problem !== undefined) throw new WebhookSecretError({ detail: `\`secrets[${index}]\`: ${problem}` });
    return { key: new WebhookSecret(bytes, id), keyId: id };
  });
}
