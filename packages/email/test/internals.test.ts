import { describe, expect, it } from 'vitest';
import { derToP1363 } from '../src/internal/ecdsa.js';
import { attachmentBytes, attachmentSize, base64ToBytes } from '../src/internal/encoding.js';
import { retryAfterMs } from '../src/internal/retry-after.js';
import { headerReader, quoteUnsafeIntegers, stringRecord, toDate } from '../src/internal/webhook-input.js';
import { spkiFromCertificate } from '../src/internal/x509.js';
import { certificatePem, der } from './helpers/crypto.js';

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 0, 1);
  const h = (init: Record<string, string>) => new Headers(init);
  it('reads seconds, HTTP dates, ratelimit-reset and x-ratelimit-reset (epoch or delta)', () => {
    expect(retryAfterMs(h({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(h({ 'retry-after': new Date(now + 3000).toUTCString() }), now)).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after': 'soon', 'ratelimit-reset': '4' }), now)).toBe(4000);
    expect(retryAfterMs(h({ 'x-ratelimit-reset': String(now / 1000 + 7) }), now)).toBe(7000);
    expect(retryAfterMs(h({ 'x-ratelimit-reset': '9' }), now)).toBe(9000);
    expect(retryAfterMs(h({ 'x-ratelimit-reset': String(now / 1000 - 7) }), now)).toBe(0);
    expect(retryAfterMs(h({}), now)).toBeUndefined();
  });

  it('reads Retry-After with the one core grammar: obsolete date forms yes, fractions and loose dates no', () => {
    expect(retryAfterMs(h({ 'retry-after': 'Thursday, 01-Jan-26 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(h({ 'retry-after': 'Thu Jan  1 00:00:06 2026' }), now)).toBe(6000);
    expect(retryAfterMs(h({ 'retry-after': '1.5' }), now)).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': 'Thu, 1 Jan 2026 00:00:07 GMT' }), now)).toBeUndefined();
  });
});

describe('quoteUnsafeIntegers', () => {
  it('quotes only unsafe integer literals outside strings', () => {
    const text =
      '{"a":4323372036854775807,"b":"4323372036854775807 \\" 99999999999999999","c":-12.5e3,"d":-9007199254740993,"e":[1,2]}';
    expect(JSON.parse(quoteUnsafeIntegers(text))).toEqual({
      a: '4323372036854775807',
      b: '4323372036854775807 " 99999999999999999',
      c: -12500,
      d: '-9007199254740993',
      e: [1, 2],
    });
  });
});

describe('toDate and stringRecord', () => {
  it('reads ISO strings, epoch seconds (int, float, string) and epoch milliseconds', () => {
    expect(toDate('2019-11-05T16:33:54.9070259Z')?.toISOString()).toBe('2019-11-05T16:33:54.907Z');
    expect(toDate(1529006854)?.getTime()).toBe(1529006854000);
    expect(toDate('1529006854.5')?.getTime()).toBe(1529006854500);
    expect(toDate(1529006854123)?.getTime()).toBe(1529006854123);
    expect(toDate('yesterday')).toBeUndefined();
    expect(toDate('')).toBeUndefined();
    expect(toDate(Number.NaN)).toBeUndefined();
    expect(toDate(null)).toBeUndefined();
  });

  it('keeps scalar entries of objects only', () => {
    expect(stringRecord({ a: 'x', b: 1, c: true, d: { e: 1 } })).toEqual({ a: 'x', b: '1', c: 'true' });
    expect(stringRecord(['a'])).toEqual({});
  });

  it('reads array header values', () => {
    expect(headerReader({ 'X-A': ['1', '2'], 'X-B': undefined })('x-a')).toBe('1, 2');
  });
});

describe('encoding', () => {
  it('decodes url-safe base64 and refuses garbage', () => {
    expect(base64ToBytes('-_8')).toEqual(new Uint8Array([251, 255]));
    expect(base64ToBytes('a=b')).toBeUndefined();
    expect(base64ToBytes('abcde')).toBeUndefined();
    expect(attachmentSize('aGk=')).toBe(2);
    expect(attachmentSize('aA==')).toBe(1);
    expect(attachmentBytes('%%%')).toEqual(new Uint8Array());
  });
});

describe('derToP1363', () => {
  const int = (...bytes: number[]) => der(0x02, new Uint8Array(bytes));
  it('converts and left-pads r and s', () => {
    const out = derToP1363(der(0x30, int(0x00, 0x80), int(0x01)), 2);
    expect(out).toEqual(new Uint8Array([0x00, 0x80, 0x00, 0x01]));
  });

  it.each([
    ['not a sequence', new Uint8Array([0x31, 0x00])],
    ['empty', new Uint8Array([])],
    ['a wrong length', new Uint8Array([0x30, 0x05, 0x02, 0x01, 0x01])],
    ['a non-integer part', der(0x30, der(0x04, new Uint8Array([1])), int(1))],
    ['a zero-length integer', der(0x30, der(0x02, new Uint8Array([])), int(1))],
    ['an oversized integer', der(0x30, int(1, 2, 3), int(1))],
    ['trailing bytes', der(0x30, int(1), int(1), int(1))],
  ])('refuses %s', (_, bytes) => {
    expect(derToP1363(bytes, 2)).toBeUndefined();
  });

  it('reads a long-form sequence length', () => {
    const big = der(0x30, int(...new Array(64).fill(1)), int(...new Array(64).fill(2)));
    expect(big[1]).toBe(0x81);
    expect(derToP1363(big, 64)?.length).toBe(128);
  });
});

describe('spkiFromCertificate', () => {
  it('extracts the SubjectPublicKeyInfo of a certificate with or without a version', () => {
    const spki = der(0x30, der(0x30, new Uint8Array([0x06, 0x01, 0x01])), der(0x03, new Uint8Array([0, 9])));
    const pem = certificatePem(spki);
    const body = base64ToBytes(pem.replace(/-----[A-Z ]+-----/g, ''))!;
    expect(spkiFromCertificate(body)).toEqual(spki);
    const empty = new Uint8Array([0x30, 0x00]);
    const noVersion = der(0x30, der(0x30, der(0x02, new Uint8Array([1])), empty, empty, empty, empty, spki), empty);
    expect(spkiFromCertificate(noVersion)).toEqual(spki);
  });

  it.each([
    ['a non-sequence', new Uint8Array([0x31, 0x00])],
    ['a truncated element', new Uint8Array([0x30])],
    ['an overrunning element', new Uint8Array([0x30, 0x05, 0x30])],
    ['an unsupported length', new Uint8Array([0x30, 0x85, 1, 1, 1, 1, 1])],
    ['a non-sequence tbs', der(0x30, der(0x02, new Uint8Array([1])))],
    ['a non-sequence key', der(0x30, der(0x30, ...Array.from({ length: 6 }, () => der(0x02, new Uint8Array([1])))))],
  ])('refuses %s', (_, bytes) => {
    expect(() => spkiFromCertificate(bytes)).toThrow();
  });
});

describe('createKeyCache', () => {
  it('loads once per id, evicts the oldest beyond its size and forgets failures', async () => {
    const { createKeyCache } = await import('../src/internal/key-cache.js');
    const cached = createKeyCache<number>(2);
    let loads = 0;
    const load = async () => ++loads;
    await cached('a', load);
    await cached('a', load);
    expect(loads).toBe(1);
    await cached('b', load);
    await cached('c', load);
    await cached('a', load);
    expect(loads).toBe(4);
    await expect(cached('x', () => Promise.reject(new Error('bad')))).rejects.toThrow('bad');
    await expect(cached('x', load)).resolves.toBe(5);
  });
});
