import { parseIp } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIpAllowlist } from '../src/index.js';

describe('createIpAllowlist', () => {
  it('matches exact IPv4 addresses and IPv4 CIDR ranges', () => {
    const list = createIpAllowlist(['3.134.147.250', '50.31.156.0/24', '10.0.0.0/23']);
    expect(list.allows('3.134.147.250')).toBe(true);
    expect(list.allows('3.134.147.251')).toBe(false);
    expect(list.allows('50.31.156.6')).toBe(true);
    expect(list.allows('50.31.157.6')).toBe(false);
    expect(list.allows('10.0.1.255')).toBe(true);
    expect(list.allows('10.0.2.0')).toBe(false);
  });

  it('matches IPv6 addresses and ranges in any textual form', () => {
    const list = createIpAllowlist(['2001:db8::/32', '2a01:111:f400::/48', 'fe80::1', '64:ff9b::/96']);
    expect(list.allows('2001:db8:ffff::1')).toBe(true);
    expect(list.allows('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(list.allows('2001:db9::1')).toBe(false);
    expect(list.allows('2a01:111:f400:7e00::5')).toBe(true);
    expect(list.allows('2a01:111:f401::5')).toBe(false);
    expect(list.allows('fe80:0:0:0:0:0:0:1')).toBe(true);
    expect(list.allows('64:ff9b::192.0.2.33')).toBe(true);
  });

  it('matches IPv4-mapped IPv6 clients against IPv4 entries, and mapped entries against IPv4 clients', () => {
    const list = createIpAllowlist(['50.31.156.6', '::ffff:192.0.2.0/120', '::ffff:0:0/96']);
    expect(list.allows('::ffff:50.31.156.6')).toBe(true);
    expect(list.allows('::FFFF:50.31.156.6')).toBe(true);
    expect(list.allows('::ffff:321f:9c06')).toBe(true);
    expect(list.allows('192.0.2.77')).toBe(true);
    const narrow = createIpAllowlist(['::ffff:192.0.2.0/120']);
    expect(narrow.allows('192.0.2.77')).toBe(true);
    expect(narrow.allows('192.0.3.1')).toBe(false);
    expect(createIpAllowlist(['::ffff:0:0/96']).allows('203.0.113.9')).toBe(true);
  });

  it('keeps address families apart: IPv6 ranges never match IPv4 clients and vice versa', () => {
    expect(createIpAllowlist(['::/0']).allows('192.0.2.1')).toBe(false);
    expect(createIpAllowlist(['::/0']).allows('2001:db8::1')).toBe(true);
    expect(createIpAllowlist(['0.0.0.0/0']).allows('2001:db8::1')).toBe(false);
    expect(createIpAllowlist(['0.0.0.0/0']).allows('::ffff:192.0.2.1')).toBe(true);
    // IPv4-compatible (not mapped) addresses are IPv6.
    expect(createIpAllowlist(['192.0.2.1']).allows('::192.0.2.1')).toBe(false);
  });

  it('refuses clients that are not plain addresses', () => {
    const list = createIpAllowlist(['0.0.0.0/0', '::/0']);
    for (const client of [undefined, '', 'unknown', 'fe80::1%eth0', '192.0.2.1:443', '[2001:db8::1]', '010.0.0.1']) {
      expect(list.allows(client)).toBe(false);
    }
    expect(list.allows(' 192.0.2.1 ')).toBe(true);
  });

  it.each([
    ['an out-of-range octet', '10.0.0.256'],
    ['a leading zero', '010.0.0.1'],
    ['a short IPv4', '10.1'],
    ['a hex IPv4', '0x0a.0.0.1'],
    ['a too-long prefix', '10.0.0.0/33'],
    ['a too-long IPv6 prefix', '2001:db8::/129'],
    ['a prefix with a leading zero', '10.0.0.0/08'],
    ['an empty prefix', '10.0.0.0/'],
    ['two slashes', '10.0.0.0/8/8'],
    ['host bits after the prefix', '10.0.0.1/8'],
    ['IPv6 host bits after the prefix', '2001:db8::1/32'],
    ['two ::', '1::2::3'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    [':: standing for no group', '1:2:3:4:5:6:7::8'],
    ['a five-digit group', '12345::'],
    ['a non-hex group', 'g::1'],
    ['a stray colon', ':1:2:3:4:5:6:7'],
    ['a dotted quad before ::', '1.2.3.4::'],
    ['a bad embedded IPv4', '::ffff:1.2.3'],
    ['a zone id', 'fe80::1%eth0'],
    ['a hostname', 'postmarkapp.com'],
    ['an empty entry', ''],
  ])('refuses an entry with %s at construction', (_, entry) => {
    expect(() => createIpAllowlist(['192.0.2.1', entry])).toThrow(
      expect.objectContaining({ code: 'email_config_invalid', variable: 'allowedIps' }),
    );
    expect(() => createIpAllowlist([entry])).toThrow(
      expect.objectContaining({ message: expect.stringContaining(JSON.stringify(entry)) }),
    );
  });

  it('refuses an empty list and trims entries', () => {
    expect(() => createIpAllowlist([])).toThrow(expect.objectContaining({ code: 'email_config_invalid' }));
    expect(createIpAllowlist([' 192.0.2.0/24 ']).entries).toEqual(['192.0.2.0/24']);
  });

  it('contains every address of a range built from it (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const bytes = parseIp(address) as Uint8Array;
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
        const network = (value & mask) >>> 0;
        const text = [24, 16, 8, 0].map((shift) => (network >>> shift) & 0xff).join('.');
        const list = createIpAllowlist([`${text}/${prefix}`]);
        return list.allows(address) && list.allows(`::ffff:${address}`);
      }),
    );
  });

  it('parses every IPv6 text form fast-check generates (property)', () => {
    fc.assert(fc.property(fc.ipV6(), (address) => createIpAllowlist([address]).allows(address)));
  });
});
