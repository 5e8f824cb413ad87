import { ipPrefixMatches, isIpv4Mapped, parseIp, parseIpv4, parseIpv6 } from '@bulwark/core';
import { EmailConfigError } from './errors/email-config-error.js';

/** A compiled list of IP addresses and CIDR ranges; see {@link createIpAllowlist}. */
export interface IpAllowlist {
  /** The entries as given (trimmed). */
  readonly entries: readonly string[];
  /** Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6) falls in one of the entries. */
  allows(address: string | undefined): boolean;
}

interface Range {
  readonly network: Uint8Array;
  readonly prefix: number;
}

const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

function invalid(entry: string, why: string): EmailConfigError {
  return new EmailConfigError(
    'allowedIps',
    `Expected every \`allowedIps\` entry to be an IPv4/IPv6 address or CIDR range; ${JSON.stringify(entry)} ${why}`,
  );
}

function parseRange(entry: string): Range {
  const [address = '', prefixText, extra] = entry.split('/');
  // Read the raw form first: a mapped range's prefix counts IPv6 bits.
  const raw = address.includes(':') ? parseIpv6(address) : parseIpv4(address);
  if (!raw || extra !== undefined) throw invalid(entry, 'is not an address or address/prefix');
  const bits = raw.length * 8;
  if (prefixText !== undefined && !PREFIX.test(prefixText)) throw invalid(entry, 'has a malformed prefix length');
  const rawPrefix = prefixText === undefined ? bits : Number(prefixText);
  if (rawPrefix > bits) throw invalid(entry, `has a prefix longer than ${bits} bits`);
  for (let bit = rawPrefix; bit < bits; bit++) {
    if (((raw[bit >> 3] as number) >> (7 - (bit & 7))) & 1) {
      throw invalid(entry, `has address bits set after the /${rawPrefix} prefix`);
    }
  }
  // `::ffff:a.b.c.d/n` (n ≥ 96) names IPv4 clients, which are matched in IPv4 form.
  if (isIpv4Mapped(raw) && rawPrefix >= 96) return { network: raw.slice(12), prefix: rawPrefix - 96 };
  return { network: raw, prefix: rawPrefix };
}

/**
 * Compiles an allowlist of IPv4/IPv6 addresses and CIDR ranges (`192.0.2.0/24`,
 * `2001:db8::/32`), validating every entry up front. Clients are matched by address
 * family; an IPv4-mapped IPv6 client (`::ffff:192.0.2.1`, common on dual-stack Node
 * servers) is matched as its IPv4 address. Runs on any runtime (no `node:net`).
 *
 * @param entries - Addresses or `address/prefix` ranges; surrounding whitespace is ignored.
 * @throws {email_config_invalid} (`variable: 'allowedIps'`) on an empty list, a malformed
 * entry, a prefix longer than the address, or a range with bits set after its prefix.
 * @example
 * ```ts
 * const allowedIps = createIpAllowlist(['3.134.147.250', '50.31.156.0/24', '2001:db8::/32']);
 * allowedIps.allows('::ffff:50.31.156.6'); // true
 * ```
 */
export function createIpAllowlist(entries: readonly string[]): IpAllowlist {
  if (entries.length === 0) {
    throw new EmailConfigError('allowedIps', 'Expected `allowedIps` to list at least one address or CIDR range');
  }
  const trimmed = Object.freeze(entries.map((entry) => String(entry).trim()));
  const ranges = trimmed.map(parseRange);
  return Object.freeze({
    entries: trimmed,
    allows(address: string | undefined): boolean {
      const parsed = address === undefined ? undefined : parseIp(address.trim());
      return parsed !== undefined && ranges.some((range) => ipPrefixMatches(range.network, range.prefix, parsed));
    },
  });
}

/**
 * Reports whether `value` is a compiled {@link IpAllowlist} rather than a list of entries.
 * @internal
 */
export function isIpAllowlist(value: readonly string[] | IpAllowlist): value is IpAllowlist {
  return !Array.isArray(value) && typeof (value as IpAllowlist).allows === 'function';
}
