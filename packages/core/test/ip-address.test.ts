import { describe, expect, it } from 'vitest';
import { ipPrefixMatches, isIpv4Mapped, parseIp, parseIpv4, parseIpv6 } from '../src/index.js';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('IP address parsing', () => {
  it('parses dotted quads strictly', () => {
    expect(parseIpv4('192.0.2.1')).toEqual(bytes(192, 0, 2, 1));
    expect(parseIpv4('0.0.0.0')).toEqual(bytes(0, 0, 0, 0));
    for (const bad of ['010.0.0.1', '10.1', '256.0.0.1', '0x7f.0.0.1', ' 10.0.0.1', '10.0.0.1.', '']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });

  it('parses RFC 4291 IPv6 text, with one `::` and an optional trailing dotted quad', () => {
    expect(parseIpv6('::1')).toEqual(bytes(...Array<number>(15).fill(0), 1));
    expect(parseIpv6('2001:db8::')).toEqual(bytes(0x20, 0x01, 0x0d, 0xb8, ...Array<number>(12).fill(0)));
    expect(parseIpv6('::ffff:192.0.2.1')).toEqual(bytes(...Array<number>(10).fill(0), 0xff, 0xff, 192, 0, 2, 1));
    expect(parseIpv6('1:2:3:4:5:6:7:8')?.length).toBe(16);
    for (const bad of [
      '1::2::3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '::1%eth0',
      '[::1]',
      '1.2.3.4::',
      '12345::',
      ':1::',
      '::ffff:1.2.3.256',
    ]) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it('reads IPv4-mapped IPv6 as the IPv4 client it names', () => {
    const mapped = parseIpv6('::ffff:10.0.0.1') as Uint8Array;
    expect(isIpv4Mapped(mapped)).toBe(true);
    expect(isIpv4Mapped(parseIpv6('::1') as Uint8Array)).toBe(false);
    expect(parseIp('::ffff:10.0.0.1')).toEqual(bytes(10, 0, 0, 1));
    expect(parseIp('10.0.0.1')).toEqual(bytes(10, 0, 0, 1));
    expect(parseIp('fd00::1')?.length).toBe(16);
    expect(parseIp('not an address')).toBeUndefined();
  });

  it('matches prefixes bit by bit, never across families', () => {
    const net = parseIp('10.0.0.0') as Uint8Array;
    expect(ipPrefixMatches(net, 8, parseIp('10.255.1.2') as Uint8Array)).toBe(true);
    expect(ipPrefixMatches(net, 8, parseIp('11.0.0.0') as Uint8Array)).toBe(false);
    expect(ipPrefixMatches(net, 23, parseIp('10.0.1.255') as Uint8Array)).toBe(true);
    expect(ipPrefixMatches(net, 23, parseIp('10.0.2.0') as Uint8Array)).toBe(false);
    expect(ipPrefixMatches(net, 0, parseIp('203.0.113.9') as Uint8Array)).toBe(true);
    expect(ipPrefixMatches(net, 0, parseIp('::1') as Uint8Array)).toBe(false);
    expect(ipPrefixMatches(parseIp('fd00::') as Uint8Array, 8, parseIp('fdff::1') as Uint8Array)).toBe(true);
  });
});
