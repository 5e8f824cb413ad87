// Strict textual IP address parsing with no platform dependency (edge runtimes have no
// `node:net`), shared by the packages that match client addresses against lists and ranges.

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * Parses a dotted-quad IPv4 address into 4 bytes: no leading zeros (`010` is octal to some
 * parsers), no shorthand (`10.1`), no hex, no surrounding whitespace.
 *
 * @param text - The address text.
 * @returns The 4 bytes, or `undefined` when `text` is not such an address.
 * @example
 * ```ts
 * parseIpv4('192.0.2.1'); // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function parseIpv4(text: string): Uint8Array | undefined {
  if (!IPV4.test(text)) return undefined;
  return new Uint8Array(text.split('.').map(Number));
}

function hextets(part: string): number[] | undefined {
  if (part === '') return [];
  const out: number[] = [];
  const groups = part.split(':');
  for (const [i, group] of groups.entries()) {
    if (i === groups.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (!v4) return undefined;
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (HEXTET.test(group)) {
      out.push(Number.parseInt(group, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * Parses RFC 4291 IPv6 text (at most one `::`, an optional trailing dotted quad) into 16 bytes.
 * Zone ids (`%eth0`) and brackets are refused; an IPv4-mapped address stays 16 bytes.
 *
 * @param text - The address text.
 * @returns The 16 bytes, or `undefined` when `text` is not such an address.
 * @example
 * ```ts
 * parseIpv6('2001:db8::1'); // Uint8Array(16)
 * ```
 */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = hextets(halves[0] as string);
  const tail = halves.length === 2 ? hextets(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  // A dotted quad may only end the address, never precede `::`.
  if (halves.length === 2 && (halves[0] as string).includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, word] of words.entries()) {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  }
  return bytes;
}

/**
 * Whether 16 bytes are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
 *
 * @param bytes - An address as parsed by {@link parseIpv6}.
 * @example
 * ```ts
 * isIpv4Mapped(parseIpv6('::ffff:192.0.2.1')!); // true
 * ```
 */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && MAPPED_PREFIX.every((b, i) => bytes[i] === b);
}

/**
 * Parses an IPv4 or IPv6 address ({@link parseIpv4}, {@link parseIpv6}). An IPv4-mapped IPv6
 * address becomes its 4 IPv4 bytes, so `::ffff:192.0.2.1` and `192.0.2.1` are the same client.
 *
 * @param text - The address text.
 * @returns 4 or 16 bytes, or `undefined` when `text` is not an address.
 * @example
 * ```ts
 * parseIp('::ffff:192.0.2.1'); // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function parseIp(text: string): Uint8Array | undefined {
  const bytes = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (bytes && isIpv4Mapped(bytes)) return bytes.slice(12);
  return bytes;
}

/**
 * Whether `address` lies in the range of `network` with a `prefix`-bit mask. Addresses of
 * the other family (4 vs 16 bytes) never match.
 *
 * @param network - The range's address bytes.
 * @param prefix - Leading bits that must match, from 0 to 8 × `network.length`.
 * @param address - The address to test.
 * @example
 * ```ts
 * ipPrefixMatches(parseIp('10.0.0.0')!, 8, parseIp('10.1.2.3')!); // true
 * ```
 */
export function ipPrefixMatches(network: Uint8Array, prefix: number, address: Uint8Array): boolean {
  if (network.length !== address.length) return false;
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (network[i] !== address[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((network[whole] as number) & mask) === ((address[whole] as number) & mask);
}
