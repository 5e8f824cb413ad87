import { EmailConfigError } from '../errors/email-config-error.js';

/**
 * Reads `secrets` from a parser's options and checks it: at least one entry, every entry
 * valid. Returns the value as given, so per-value key caches keep working. @internal
 *
 * @throws {email_config_invalid} with `variable: 'secrets'`.
 */
export function pickWebhookSecrets<T>(
  options: { readonly secrets?: unknown },
  isValid: (entry: unknown) => entry is T,
  expected: string,
): T | readonly T[] {
  const { secrets } = options;
  const list: readonly unknown[] = Array.isArray(secrets) ? secrets : secrets === undefined ? [] : [secrets];
  if (list.length === 0) {
    throw new EmailConfigError('secrets', `Expected \`secrets\` to hold at least one ${expected}`);
  }
  if (!list.every(isValid)) {
    throw new EmailConfigError('secrets', `Expected every entry of \`secrets\` to be ${expected}`);
  }
  return secrets as T | readonly T[];
}

/** Both spellings as one list. @internal */
export function listOf<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** A non-blank string. @internal */
export function isSecretString(entry: unknown): entry is string {
  return typeof entry === 'string' && entry.trim() !== '';
}
