import { EmailConfigError } from '../errors/email-config-error.js';

/**
 * Picks the webhook secret(s) from `secrets` or the provider's deprecated key (`secret`,
 * `publicKey`, `signingKey`, `credentials`) and checks them: exactly one of the two keys,
 * at least one entry, every entry valid. Returns the value as given, so per-value key
 * caches keep working. @internal
 *
 * @throws {email_config_invalid} with `variable: 'secrets'` (or the deprecated key in use).
 */
export function pickWebhookSecrets<T>(
  options: object,
  legacyKey: string,
  isValid: (entry: unknown) => entry is T,
  expected: string,
): T | readonly T[] {
  const { secrets } = options as { secrets?: unknown };
  const legacy = (options as Record<string, unknown>)[legacyKey];
  if (secrets !== undefined && legacy !== undefined) {
    throw new EmailConfigError('secrets', `Pass \`secrets\` or the deprecated \`${legacyKey}\`, not both`);
  }
  const variable = secrets === undefined && legacy !== undefined ? legacyKey : 'secrets';
  const value = secrets ?? legacy;
  const list: readonly unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (list.length === 0) {
    throw new EmailConfigError(variable, `Expected \`${variable}\` to hold at least one ${expected}`);
  }
  if (!list.every(isValid)) {
    throw new EmailConfigError(variable, `Expected every entry of \`${variable}\` to be ${expected}`);
  }
  return value as T | readonly T[];
}

/** Both spellings as one list. @internal */
export function listOf<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** A non-blank string. @internal */
export function isSecretString(entry: unknown): entry is string {
  return typeof entry === 'string' && entry.trim() !== '';
}
