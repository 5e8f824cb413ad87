import { ipPrefixMatches, parseIp as parseAddress } from '@bulwark/core';

/**
 * Strict IP parsing for key extraction: IPv4 dotted quads and IPv6 (with `::`, zone ids
 * dropped, embedded IPv4). Returns the address as bytes, or undefined when it is not an IP.
 * @internal
 */
export function parseIp(text: string): Uint8Array | undefined {
  const value = text.trim().replace(/^\[|\]$/g, '');
  return parseAddress(value.includes(':') ? value.replace(/%.*$/, '') : value);
}

/** A parsed `address/prefix` (a bare address is a full-length prefix). @internal */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Parses `10.0.0.0/8`, `::1`, `fd00::/8`; undefined when invalid. @internal */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefix, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  return { bytes, bits };
}

/** Whether `ip` lies inside `cidr`. @internal */
export function inCidr(ip: Uint8Array, cidr: Cidr): boolean {
  return ipPrefixMatches(cidr.bytes, cidr.bits, ip);
}

/** Canonical text of an address, IPv6 truncated to `v6Bits` (e.g. `2001:db8:0:0::/64`). @internal */
export function formatIp(ip: Uint8Array, v6Bits: number): string {
  if (ip.length === 4) return ip.join('.');
  const words: string[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, v6Bits - 16 * i));
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    words.push(((((ip[2 * i] as number) << 8) | (ip[2 * i + 1] as number)) & mask).toString(16));
  }
  return v6Bits >= 128 ? words.join(':') : `${words.join(':')}/${v6Bits}`;
}
