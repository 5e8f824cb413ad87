import type { RefusedRange } from '../errors/egress-refused-error.js';

// Address parsing for the SSRF guard. Internal: the public surface is `classifyAddress` and the
// egress options; these helpers accept only what `new URL()` / `dns.lookup()` produce.

/** Parses dotted-quad IPv4 into an unsigned 32-bit integer, or `undefined`. */
export function parseIPv4(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Expands an IPv6 address (any textual form, optional trailing dotted quad) into 8 groups. */
export function parseIPv6(input: string): number[] | undefined {
  let address = input.toLowerCase();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (!address.includes(':')) return undefined;
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  const maybeV4 = address.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (v4 === undefined) return undefined;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    address = `${address.slice(0, lastColon + 1)}${tail.length ? '0:0' : ''}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN));
    return groups.some(Number.isNaN) ? undefined : groups;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array<number>(Math.max(0, missing)).fill(0), ...rest];
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups;
}

const V4_RANGES: ReadonlyArray<readonly [string, number, RefusedRange]> = [
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
];

/** Whether the 32-bit `value` lies in `base/prefix`. */
export function inV4Cidr(value: number, base: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const size = 2 ** (32 - prefix);
  return Math.floor(value / size) === Math.floor(base / size);
}

/** Whether 8-group `groups` lies in `base/prefix`. */
export function inV6Cidr(groups: readonly number[], base: readonly number[], prefix: number): boolean {
  for (let i = 0, left = prefix; left > 0; i++, left -= 16) {
    const bits = Math.min(16, left);
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if (((groups[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(value: number): RefusedRange | null {
  for (const [base, prefix, range] of V4_RANGES) {
    if (inV4Cidr(value, parseIPv4(base) as number, prefix)) return range;
  }
  return null;
}

/** The IPv4 address embedded in a mapped (`::ffff:0:0/96`), NAT64 (`64:ff9b::/96`) or compatible (`::/96`) IPv6 address. */
export function embeddedIPv4(groups: readonly number[]): number | undefined {
  const [a, b, c, d, e, f, g, h] = groups as [number, number, number, number, number, number, number, number];
  const mapped = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff;
  const nat64 = a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0;
  const compatible = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && g !== 0;
  return mapped || nat64 || compatible ? g * 65536 + h : undefined;
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
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return classifyV4(v4);
  const groups = parseIPv6(address);
  if (!groups) return 'reserved';
  if (groups.every((g) => g === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback';
  const embedded = embeddedIPv4(groups);
  if (embedded !== undefined) return classifyV4(embedded);
  const first = groups[0] as number;
  if (first === 0xfd00 && groups[1] === 0x0ec2 && groups[7] === 0x254) return 'metadata';
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return 'link-local';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if (first === 0x2001 && groups[1] === 0x0db8) return 'reserved';
  if (first === 0x0100 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0) return 'reserved';
  return null;
}
