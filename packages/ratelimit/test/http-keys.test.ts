import { describe, expect, it } from 'vitest';
import { apiKey, clientIp, headerKey, ipKey, type RequestInfo } from '../src/index.js';

function info(remoteAddress: string | undefined, headers: Record<string, string> = {}): RequestInfo {
  return { remoteAddress, header: (name) => headers[name.toLowerCase()] };
}

describe('clientIp / ipKey', () => {
  it('uses the TCP peer and ignores X-Forwarded-For when no proxy is trusted', () => {
    const ip = clientIp();
    expect(ip(info('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' }))).toBe('203.0.113.9');
    expect(ip(info(undefined))).toBeUndefined();
    expect(ip(info('not-an-ip'))).toBeUndefined();
  });

  it('walks X-Forwarded-For from the right past trusted proxies only', () => {
    const ip = clientIp({ trustedProxies: ['10.0.0.0/8', '::1'] });
    expect(ip(info('10.0.0.1', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9, 10.0.0.2' }))).toBe('203.0.113.9');
    expect(ip(info('::1', { 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
    expect(ip(info('203.0.113.50', { 'x-forwarded-for': '1.1.1.1' }))).toBe('203.0.113.50');
    expect(ip(info('10.0.0.1'))).toBe('10.0.0.1');
  });

  it('stops at garbage entries instead of keying by them', () => {
    const ip = clientIp({ trustedProxies: ['10.0.0.0/8'] });
    expect(ip(info('10.0.0.1', { 'x-forwarded-for': 'random-1234, 10.0.0.3' }))).toBe('10.0.0.3');
    expect(ip(info('10.0.0.1', { 'x-forwarded-for': '300.1.1.1' }))).toBe('10.0.0.1');
  });

  it('groups IPv6 clients by /64 and unwraps IPv4-mapped addresses', () => {
    const key = ipKey();
    expect(key(info('2001:db8:1:2:aaaa:bbbb:cccc:dddd'))).toBe('ip:2001:db8:1:2:0:0:0:0/64');
    expect(key(info('2001:db8:1:2::1'))).toBe('ip:2001:db8:1:2:0:0:0:0/64');
    expect(key(info('::ffff:192.0.2.1'))).toBe('ip:192.0.2.1');
    expect(ipKey({ ipv6Subnet: 128, prefix: '' })(info('[fe80::1%eth0]'))).toBe('fe80:0:0:0:0:0:0:1');
    expect(key(info('1::2::3'))).toBeUndefined();
    expect(key(info('1:2:3:4:5:6:7'))).toBeUndefined();
    expect(key(info('::1.2.3'))).toBeUndefined();
    expect(key(info('1:2:3:4:5:6:7:zz'))).toBeUndefined();
    expect(key(info('01.2.3.4'))).toBeUndefined();
  });

  it('matches IPv6 CIDRs and validates its options', () => {
    const ip = clientIp({ trustedProxies: ['fd00::/8', '192.168.1.0/25'] });
    expect(ip(info('fd12::1', { 'x-forwarded-for': '192.0.2.1' }))).toBe('192.0.2.1');
    expect(ip(info('192.168.1.200', { 'x-forwarded-for': '192.0.2.1' }))).toBe('192.168.1.200');
    expect(() => clientIp({ trustedProxies: ['10.0.0.0/33'] })).toThrow(/`trustedProxies\[0\]`/);
    expect(() => clientIp({ trustedProxies: ['10.0.0.0/8/1'] })).toThrow(/`trustedProxies\[0\]`/);
    expect(() => clientIp({ trustedProxies: ['nope'] })).toThrow(/`trustedProxies\[0\]`/);
    expect(() => clientIp({ ipv6Subnet: 0 })).toThrow(/`ipv6Subnet`/);
  });
});

describe('headerKey / apiKey', () => {
  it('keys by a header value', () => {
    const key = headerKey('X-Tenant-Id');
    expect(key(info(undefined, { 'x-tenant-id': ' acme ' }))).toBe('x-tenant-id:acme');
    expect(key(info(undefined, { 'x-tenant-id': '  ' }))).toBeUndefined();
    expect(() => headerKey('bad header')).toThrow(/`name`/);
  });

  it('keys by a hashed bearer token or API key header', async () => {
    const key = apiKey();
    const bearer = await key(info(undefined, { authorization: 'Bearer s3cret' }));
    expect(bearer).toMatch(/^key:[0-9a-f]{64}$/);
    expect(await key(info(undefined, { 'x-api-key': 's3cret' }))).toBe(bearer);
    expect(await key(info(undefined))).toBeUndefined();
    expect(await apiKey({ hash: false, header: 'x-key' })(info(undefined, { 'x-key': 'abc' }))).toBe('key:abc');
  });
});
