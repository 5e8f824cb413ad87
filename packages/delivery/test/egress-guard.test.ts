import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, createEgressGuard, isEgressRefusedError } from '../src/index.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.45.6.7', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'shared'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a00:1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['not-an-ip', 'reserved'],
    ['1:2:3', 'reserved'],
    ['1::2::3', 'reserved'],
    ['::ffff:999.0.0.1', 'reserved'],
    ['1:2:3:4:5:6:7:8:9', 'reserved'],
    ['::zzzz', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::200e'])(
    '%s is public',
    (address) => {
      expect(classifyAddress(address)).toBeNull();
    },
  );

  it('judges IPv4-mapped IPv6 exactly like the IPv4 address it carries', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(classifyAddress(`::ffff:${v4}`)).toBe(classifyAddress(v4));
      }),
    );
  });

  it('refuses every address in 10.0.0.0/8', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c]) => {
        expect(classifyAddress(`10.${a}.${b}.${c}`)).toBe('private');
      }),
    );
  });
});

describe('createEgressGuard', () => {
  const refused = (fn: () => void): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('requires https unless allowHttp', () => {
    const strict = createEgressGuard();
    const error = refused(() => strict.checkUrl(new URL('http://hooks.example.com/x')));
    expect(isEgressRefusedError(error) && [error.code, error.range]).toEqual([
      'delivery_insecure_url',
      'insecure-scheme',
    ]);
    expect(refused(() => strict.checkUrl(new URL('ftp://hooks.example.com/x')))).toMatchObject({
      code: 'delivery_insecure_url',
    });
    expect(refused(() => strict.checkUrl(new URL('https://hooks.example.com/x')))).toBeUndefined();
    expect(
      refused(() => createEgressGuard({ allowHttp: true }).checkUrl(new URL('http://hooks.example.com'))),
    ).toBeUndefined();
  });

  it('refuses IP-literal URLs in non-public ranges, including IPv6 and mapped forms', () => {
    const guard = createEgressGuard();
    for (const url of [
      'https://127.0.0.1/',
      'https://10.1.2.3/',
      'https://169.254.169.254/latest',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://0x7f.1/',
    ]) {
      const error = refused(() => guard.checkUrl(new URL(url)));
      expect(isEgressRefusedError(error), url).toBe(true);
      expect((error as { code: string }).code).toBe('delivery_egress_refused');
    }
    expect(refused(() => guard.checkUrl(new URL('https://8.8.8.8/')))).toBeUndefined();
  });

  it('refuses a host when any of its resolved addresses is non-public', () => {
    const guard = createEgressGuard();
    const error = refused(() =>
      guard.checkAddresses('rebind.example.com', [
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:10.0.0.1', family: 6 },
      ]),
    );
    expect(error).toMatchObject({
      code: 'delivery_egress_refused',
      host: 'rebind.example.com',
      address: '::ffff:10.0.0.1',
      range: 'private',
    });
  });

  it('lets allowlisted addresses, CIDRs and host names through', () => {
    const guard = createEgressGuard({ allow: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'hooks.internal'] });
    expect(refused(() => guard.checkUrl(new URL('https://127.0.0.1:8443/')))).toBeUndefined();
    expect(refused(() => guard.checkUrl(new URL('https://[::ffff:127.0.0.1]/')))).toBeUndefined();
    expect(refused(() => guard.checkAddresses('x', [{ address: '64:ff9b::7f00:1', family: 6 }]))).toBeUndefined();
    expect(refused(() => guard.checkAddresses('x', [{ address: 'fe80::1%eth0', family: 6 }]))).toMatchObject({
      range: 'link-local',
    });
    expect(refused(() => guard.checkAddresses('x', [{ address: '10.9.8.7', family: 4 }]))).toBeUndefined();
    expect(refused(() => guard.checkAddresses('x', [{ address: 'fd12::1', family: 6 }]))).toBeUndefined();
    expect(refused(() => guard.checkUrl(new URL('https://hooks.internal/')))).toBeUndefined();
    expect(guard.isAllowedHost('HOOKS.internal')).toBe(true);
    expect(refused(() => guard.checkUrl(new URL('https://127.0.0.2/')))).toMatchObject({ range: 'loopback' });
    expect(refused(() => guard.checkUrl(new URL('https://[::1]/')))).toMatchObject({ range: 'loopback' });
  });

  it('rejects malformed allowlist entries at construction', () => {
    expect(() => createEgressGuard({ allow: ['10.0.0.0/33'] })).toThrow('`egress.allow`');
    expect(() => createEgressGuard({ allow: ['host/8'] })).toThrow(RangeError);
    expect(() => createEgressGuard({ allow: ['bad host'] })).toThrow(RangeError);
  });
});
