/**
 * Suffixes of names that never belong to a public receiver: `localhost` (RFC 6761, loopback),
 * `local` (RFC 6762, multicast DNS), `internal` (reserved by ICANN for private use in 2024),
 * `home.arpa` (RFC 8375, home networks) and `localdomain` (a common resolver convention).
 */
const SPECIAL_USE = ['localhost', 'local', 'internal', 'home.arpa', 'localdomain'] as const;

/**
 * The rule a host name breaks without DNS: a special-use suffix, or a single label (`metadata`,
 * `intranet`: resolvable only through a search domain, i.e. inside a private network). Returns
 * the rule's name, or `undefined` for a name that may be public. Literal addresses are not
 * names: the egress guard checks them by range.
 * @internal
 */
export function specialUseName(hostname: string): string | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('[') || /^[0-9.]+$/.test(name)) return undefined;
  for (const suffix of SPECIAL_USE) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return suffix;
  }
  return name.includes('.') ? undefined : 'single-label';
}
