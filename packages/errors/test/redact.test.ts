import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact, redactString } from '../src/index.js';

/** Words that follow "bearer" in prose (BEARER_PROSE in src/redact.ts). */
const PROSE = new Set([
  'token',
  'tokens',
  'auth',
  'authentication',
  'authorization',
  'scheme',
  'header',
  'credential',
  'credentials',
]);

describe('redact', () => {
  it('masks values under secret keys, whatever their case or separators', () => {
    expect(
      redact({
        Authorization: 'Bearer x',
        api_key: 'k',
        'X-Api-Key': 'k',
        clientSecret: 's',
        password: 'p',
        user: 'ana',
      }),
    ).toEqual({
      Authorization: '[REDACTED]',
      api_key: '[REDACTED]',
      'X-Api-Key': '[REDACTED]',
      clientSecret: '[REDACTED]',
      password: '[REDACTED]',
      user: 'ana',
    });
  });

  it('masks configured keys and uses a custom mask', () => {
    expect(redact({ ssn: '123', deep: { SSN: '456' } }, { keys: ['ssn'], mask: '***' })).toEqual({
      ssn: '***',
      deep: { SSN: '***' },
    });
  });

  it.each([
    ['Bearer eyJhbGciOi.abc.def'],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['sk_live_abcdefghijklmnop'],
    ['re_123456789abcdefghijkl'],
    ['SG.abcdefghij.klmnopqrstuv'],
    ['key-0123456789abcdef0123456789abcdef'],
    ['AKIAIOSFODNN7EXAMPLE'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'],
    ['ghp_abcdefghijklmnopqrstuvwxyz'],
    ['-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'],
  ])('masks the secret shape %s inside text', (secret) => {
    const out = redactString(`failed with ${secret} today`);
    expect(out).toBe('failed with [REDACTED] today');
  });

  // The README's own example: `err('unauthorized', { detail: 'Missing bearer token' })` used to
  // reach clients as "Missing [REDACTED]". Prose naming the scheme is not a credential.
  it.each([
    ['Missing bearer token'],
    ['Bearer token expired'],
    ['bearer tokens must be sent in the Authorization header'],
    ['Basic authentication failed'],
    ['basic auth is disabled'],
    ['expected the Bearer scheme'],
    ['Basic plan customers'],
    ['Basic abcde is not base64'],
  ])('keeps prose that names the scheme: %s', (text) => {
    expect(redactString(text)).toBe(text);
  });

  it('masks every bearer credential that is not a prose word', () => {
    const token = fc
      .stringMatching(/^[A-Za-z0-9\-._~+/]{1,64}={0,2}$/)
      .filter((value) => !PROSE.has(value.toLowerCase()));
    fc.assert(
      fc.property(fc.constantFrom('Bearer', 'bearer', 'BEARER'), token, (scheme, value) => {
        expect(redactString(`auth ${scheme} ${value} rejected`)).toBe('auth [REDACTED] rejected');
      }),
    );
  });

  it('masks every Basic credential (base64 of user:password)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (user, password) => {
        const value = btoa(unescape(encodeURIComponent(`${user}:${password}`)));
        expect(redactString(`auth Basic ${value} rejected`)).toBe('auth [REDACTED] rejected');
      }),
    );
  });

  it('masks secret shapes in nested arrays and objects', () => {
    expect(redact({ a: [{ note: 'token whsec_abcdefghijklmnop' }] })).toEqual({ a: [{ note: 'token [REDACTED]' }] });
  });

  it('handles cycles, shared references, bigints, dates, errors and functions', () => {
    const shared = { v: 1 };
    const root: Record<string, unknown> = {
      shared,
      again: shared,
      n: 5n,
      d: new Date(0),
      e: new Error('Bearer abc'),
      f: () => 1,
    };
    root.self = root;
    expect(redact(root)).toEqual({
      shared: { v: 1 },
      again: { v: 1 },
      n: '5',
      d: '1970-01-01T00:00:00.000Z',
      e: { name: 'Error', message: '[REDACTED]' },
      self: '[Circular]',
    });
    expect(redact(new Date(Number.NaN))).toBeNull();
    expect(redact(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(redact([undefined, Symbol('x')])).toEqual([null, null]);
  });

  it('caps depth, string length and entry counts', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    expect(JSON.stringify(redact(deep, { maxDepth: 3 }))).toBe('{"deep":{"deep":{"deep":"[Truncated]"}}}');
    expect(redact('x'.repeat(10), { maxStringLength: 4 })).toBe('xxxx…');
    expect(
      redact(
        Array.from({ length: 500 }, (_, i) => i),
        { maxEntries: 5 },
      ),
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it('always returns something JSON.stringify accepts', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }),
        (value) => {
          expect(() => JSON.stringify(redact(value))).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
