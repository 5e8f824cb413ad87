/**
 * Strict IP parsing for key extraction: IPv4 dotted quads and IPv6 (with `::`, zone ids
 * dropped, embedded IPv4). Returns the address as bytes, or undefined when it is not an IP.
 * @internal
 */
export function parseIp(text: string): Uint8Array | undefined {
  const value = text.trim().replace(/^\[|\]$/g, '');
  return value.includes(':') ? parseIpv6(value.replace(/%.*$/, '')) : parseIpv4(value);
}

function parseIpv4(value: string): Uint8Array | undefined {
  const parts = value.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(value: string): Uint8Array | undefined {
  const halves = value.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): string[] | undefined => (half ? half.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const all = [...head, ...(halves.length === 2 ? ['::'] : []), ...tail];
  for (let i = 0; i < all.length; i++) {
    const g = all[i] as string;
    if (g === '::') continue;
    if (i === all.length - 1 && g.includes('.')) {
      const v4 = parseIpv4(g);
      if (!v4) return undefined;
      words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      words.push(Number.parseInt(g, 16));
    } else {
      return undefined;
    }
  }
  const missing = 8 - words.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const at = halves.length === 2 ? head.length : 8;
  const full = [...words.slice(0, at), ...new Array<number>(missing).fill(0), ...words.slice(at)];
  const bytes = new Uint8Array(16);
  full.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
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
  if (ip.length !== cidr.bytes.length) return false;
  let bits = cidr.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip[i] as number) & mask) !== ((cidr.bytes[i] as number) & mask)) return false;
  }
  return true;
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
