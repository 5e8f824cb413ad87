/** HTTP Basic credentials configured on the Postmark webhook URL. */
export interface BasicCredentials {
  /** The user name in the webhook URL. */
  readonly username: string;
  /** The password in the webhook URL. */
  readonly password: string;
}

/** How an accepted credential is written, for config errors. @internal */
export const BASIC_CREDENTIALS_FORMS =
  "`{ username, password }` or 'username:password' (user name without a colon, non-empty password)";

/** A user-id without a colon (RFC 7617) and a non-empty password, as an object or `user:pass`. @internal */
export function isBasicCredentials(entry: unknown): entry is BasicCredentials | string {
  if (typeof entry === 'string') return /^[^:]+:./s.test(entry);
  if (typeof entry !== 'object' || entry === null) return false;
  const { username, password } = entry as Partial<BasicCredentials>;
  return typeof username === 'string' && /^[^:]+$/.test(username) && typeof password === 'string' && password !== '';
}

/** The `user:pass` string a Basic `Authorization` header carries. @internal */
export function userPass(entry: BasicCredentials | string): string {
  return typeof entry === 'string' ? entry : `${entry.username}:${entry.password}`;
}
