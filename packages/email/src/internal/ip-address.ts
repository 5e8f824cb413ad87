/**
 * Strict textual IP address parsing with no platform dependency (edge runtimes have no
 * `node:net`). IPv4 is dotted-quad only: no leading zeros (`010` is octal to some parsers),
 * no shorthand (`10.1`), no hex. IPv6 is RFC 4291 text with at most one `::` and an
 * optional trailing dotted quad; zone ids (`%eth0`) are refused. @internal
 */

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses a dotted-quad IPv4 address into 4 bytes. @internal */
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

/** Parses an IPv6 address into 16 bytes. @internal */
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

/** Whether 16 bytes are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). @internal */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && MAPPED_PREFIX.every((b, i) => bytes[i] === b);
}

/**
 * Parses an IPv4 or IPv6 address. An IPv4-mapped IPv6 address becomes its 4 IPv4 bytes,
 * so `::ffff:192.0.2.1` and `192.0.2.1` are the same client. @internal
 */
export function parseIp(text: string): Uint8Array | undefined {
  const bytes = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (bytes && isIpv4Mapped(bytes)) return bytes.slice(12);
  return bytes;
}
