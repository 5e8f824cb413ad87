import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprintOf, requestFingerprint } from '../src/index.js';

/** Rebuilds a JSON value with every object's members in a shuffled order. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffled(item, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const order = entries
    .map((entry, i) => ({ entry, rank: Math.sin(seed * 9301 + i * 49297) }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ entry }) => entry);
  const out: Record<string, unknown> = {};
  for (const [key, item] of order) {
    // defineProperty: a plain assignment to `__proto__` would set the prototype instead.
    Object.defineProperty(out, key, {
      value: shuffled(item, seed + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const jsonValue = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('canonicalJson', () => {
  it('sorts members and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2 }] })).toBe('{"a":[true,null,{"c":2,"d":"x"}],"b":1}');
  });

  it('refuses what JSON cannot represent', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });

  it('property: parses back to an equal value', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(value);
      }),
    );
  });

  it('property: member order does not change the output', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        expect(canonicalJson(shuffled(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'POST', path: '/charges' } as const;

  it('property (json mode): member order and whitespace of a JSON body do not matter', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, fc.integer(), async (value, seed) => {
        const a = await requestFingerprint({ ...base, mode: 'json', body: JSON.stringify(value) });
        const b = await requestFingerprint({
          ...base,
          mode: 'json',
          body: JSON.stringify(shuffled(value, seed), null, 2),
        });
        expect(a).toBe(b);
      }),
      { numRuns: 200 },
    );
  });

  it('property (raw mode): any byte change of the body changes the fingerprint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, at, flip) => {
          const changed = body.slice();
          const i = at % body.length;
          changed[i] = ((changed[i] as number) ^ flip) & 0xff;
          const a = await requestFingerprint({ ...base, body });
          const b = await requestFingerprint({ ...base, body: changed });
          expect(a).not.toBe(b);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property (raw mode): appending or removing a byte changes the fingerprint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 128 }), fc.integer({ min: 0, max: 255 }), async (body, byte) => {
        const longer = new Uint8Array([...body, byte]);
        expect(await requestFingerprint({ ...base, body })).not.toBe(
          await requestFingerprint({ ...base, body: longer }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('property (json mode): a different JSON value changes the fingerprint', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, jsonValue, async (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        const fa = await requestFingerprint({ ...base, mode: 'json', body: JSON.stringify(a) });
        const fb = await requestFingerprint({ ...base, mode: 'json', body: JSON.stringify(b) });
        expect(fa).not.toBe(fb);
      }),
      { numRuns: 100 },
    );
  });

  it('method, path and body boundaries are part of the fingerprint', async () => {
    const fp = (method: string, path: string, body: string) => requestFingerprint({ method, path, body });
    const reference = await fp('POST', '/a', 'b');
    expect(await fp('post', '/a', 'b')).toBe(reference);
    expect(await fp('PUT', '/a', 'b')).not.toBe(reference);
    expect(await fp('POST', '/ab', '')).not.toBe(await fp('POST', '/a', 'b'));
    expect(await fp('POST', '/a?x=1', 'b')).not.toBe(reference);
  });

  it('json mode hashes a non-JSON body raw, and never equals the raw hash of a JSON body', async () => {
    expect(await requestFingerprint({ ...base, mode: 'json', body: 'not json' })).toBe(
      await requestFingerprint({ ...base, body: 'not json' }),
    );
    expect(await requestFingerprint({ ...base, mode: 'json', body: '{"a":1}' })).not.toBe(
      await requestFingerprint({ ...base, body: '{"a":1}' }),
    );
  });
});

describe('fingerprintOf', () => {
  it('ignores member order and is a 64-hex SHA-256', async () => {
    const fp = await fingerprintOf({ a: 1, b: [1, 2] });
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintOf({ b: [1, 2], a: 1 })).toBe(fp);
    expect(await fingerprintOf({ a: 1, b: [2, 1] })).not.toBe(fp);
  });
});

describe('SHA-256 backends', () => {
  it('property: the synchronous Node hash and Web Crypto give the same digest', async () => {
    const { findCreateHash, sha256Parts } = await import('../src/internal/bytes.js');
    const nodeHash = findCreateHash((globalThis as { process?: unknown }).process);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string(), fc.uint8Array())), async (parts) => {
        const web = await sha256Parts(parts, null);
        expect(web).toMatch(/^[0-9a-f]{64}$/);
        if (nodeHash) expect(await sha256Parts(parts, nodeHash)).toBe(web);
      }),
      { numRuns: 50 },
    );
  });

  it('falls back to Web Crypto where there is no process.getBuiltinModule (edge runtimes)', async () => {
    const { findCreateHash } = await import('../src/internal/bytes.js');
    expect(findCreateHash(undefined)).toBeUndefined();
    expect(findCreateHash({})).toBeUndefined();
    expect(findCreateHash({ getBuiltinModule: () => undefined })).toBeUndefined();
  });
});
