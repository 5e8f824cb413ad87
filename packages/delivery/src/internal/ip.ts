import { ipPrefixMatches, parseIpv4, parseIpv6 } from '@bulwark/core';
import type { RefusedRange } from '../errors/egress-refused-error.js';

// The SSRF guard's view of addresses, on @bulwark/core's strict parser. Internal: the public
// surface is `classifyAddress` and the egress options.

/**
 * Parses an address as URL hostnames and DNS answers carry it (IPv6 possibly in brackets or
 * with a zone id) into 4 or 16 bytes; `undefined` when it is not an IP address.
 */
export function parseAddress(text: string): Uint8Array | undefined {
  let bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = bare.indexOf('%');
  if (zone >= 0) bare = bare.slice(0, zone);
  return bare.includes(':') ? parseIpv6(bare) : parseIpv4(bare);
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The IPv4 address carried by a mapped (`::ffff:0:0/96`), NAT64 (`64:ff9b::/96`) or
 * compatible (`::/96`, except `::` and `::1`) IPv6 address, as 4 bytes.
 */
export function embeddedIpv4(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== 16) return undefined;
  const mapped = allZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
  const nat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && allZero(bytes, 4, 12);
  const compatible = allZero(bytes, 0, 12) && !allZero(bytes, 12, 14);
  return mapped || nat64 || compatible ? bytes.slice(12) : undefined;
}

const V4_RANGES = (
  [
    ['169.254.169.254', 32, 'metadata'],
    ['0.0.0.0', 8, 'unspecified'],
    ['10.0.0.0', 8, 'private'],
    ['100.64.0.0', 10, 'shared'],
    ['127.0.0.0', 8, 'loopback'],
    ['169.254.0.0', 16, 'link-local'],
    ['172.16.0.0', 12, 'private'],
    ['192.0.0.0', 24, 'reserved'],
    ['192.0.2.0', 24, 'reserved'],
    ['192.168.0.0', 16, 'private'],
    ['198.18.0.0', 15, 'reserved'],
    ['198.51.100.0', 24, 'reserved'],
    ['203.0.113.0', 24, 'reserved'],
    ['224.0.0.0', 4, 'multicast'],
    ['240.0.0.0', 4, 'reserved'],
  ] as const
).map(([network, prefix, range]) => ({ network: parseIpv4(network) as Uint8Array, prefix, range }));

function classifyV4(bytes: Uint8Array): RefusedRange | null {
  return V4_RANGES.find(({ network, prefix }) => ipPrefixMatches(network, prefix, bytes))?.range ?? null;
}

function classifyV6(bytes: Uint8Array): RefusedRange | null {
  const word = (i: number): number => ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number);
  const first = word(0);
  if (first === 0xfd00 && word(1) === 0x0ec2 && word(7) === 0x254) return 'metadata';
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return 'link-local';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if (first === 0x2001 && word(1) === 0x0db8) return 'reserved';
  if (first === 0x0100 && word(1) === 0 && word(2) === 0 && word(3) === 0) return 'reserved';
  return null;
}

/**
 * Classifies an IP address for the SSRF guard: the non-public range it belongs to, or `null`
 * for a public address. IPv4-mapped, NAT64 and IPv4-compatible IPv6 forms are judged by the
 * IPv4 address they carry. Anything unparsable is `reserved` (refused).
 *
 * @example
 * ```ts
 * classifyAddress('::ffff:127.0.0.1'); // 'loopback'
 * classifyAddress('93.184.216.34'); // null
 * ```
 */
export function classifyAddress(address: string): RefusedRange | null {
  const bytes = parseAddress(address);
  if (!bytes) return 'reserved';
  if (bytes.length === 4) return classifyV4(bytes);
  if (allZero(bytes, 0, 16)) return 'unspecified';
  if (allZero(bytes, 0, 15) && bytes[15] === 1) return 'loopback';
  const embedded = embeddedIpv4(bytes);
  return embedded ? classifyV4(embedded) : classifyV6(bytes);
}
