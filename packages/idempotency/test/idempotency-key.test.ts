import { hasErrorCode } from '@bulwark/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIdempotencyKey, parseIdempotencyKey } from '../src/index.js';

function rejects(value: string | readonly string[], maxLength?: number): boolean {
  try {
    parseIdempotencyKey(value, { maxLength });
    return false;
  } catch (error) {
    return hasErrorCode(error, 'idempotency_key_invalid');
  }
}

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });

describe('parseIdempotencyKey', () => {
  it('reads a quoted sf-string and unescapes \\" and \\\\', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('  "a\\"b\\\\c"\t')).toBe('a"b\\c');
    expect(parseIdempotencyKey(['"k"'])).toBe('k');
  });

  it('returns undefined when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey(null)).toBeUndefined();
    expect(parseIdempotencyKey([])).toBeUndefined();
  });

  it.each([
    ['empty field', ''],
    ['empty string', '""'],
    ['unquoted token', 'abc'],
    ['missing closing quote', '"abc'],
    ['parameters', '"abc";a=1'],
    ['list', '"a", "b"'],
    ['trailing garbage', '"a"b'],
    ['bad escape', '"a\\nb"'],
    ['dangling escape', '"a\\'],
    ['control character', '"a\u0001b"'],
    ['tab inside', '"a\tb"'],
    ['non-ASCII', '"clé"'],
    ['emoji', '"🔑"'],
    ['byte sequence', '"a\u0080"'],
  ])('rejects %s', (_, value) => {
    expect(rejects(value)).toBe(true);
  });

  it('rejects a header sent twice', () => {
    expect(rejects(['"a"', '"b"'])).toBe(true);
  });

  it('enforces the length bound after unescaping', () => {
    expect(parseIdempotencyKey(`"${'k'.repeat(255)}"`)).toHaveLength(255);
    expect(rejects(`"${'k'.repeat(256)}"`)).toBe(true);
    expect(parseIdempotencyKey(`"${'\\"'.repeat(4)}"`, { maxLength: 4 })).toBe('""""');
    expect(rejects(`"${'\\"'.repeat(5)}"`, 4)).toBe(true);
  });

  it('never echoes the key in the error detail', () => {
    try {
      parseIdempotencyKey('"secret-\u00e9-key"');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret');
    }
  });

  it('property: format then parse round-trips every printable ASCII key', () => {
    fc.assert(
      fc.property(
        printable.filter((s) => s.length > 0 && s.length <= 255),
        (key) => {
          expect(parseIdempotencyKey(formatIdempotencyKey(key))).toBe(key);
        },
      ),
    );
  });

  it('property: any string either parses to a printable ASCII key within bounds or is rejected with idempotency_key_invalid', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          printable.map((s) => `"${s}"`),
        ),
        (value) => {
          let key: string | undefined;
          try {
            key = parseIdempotencyKey(value);
          } catch (error) {
            expect(hasErrorCode(error, 'idempotency_key_invalid')).toBe(true);
            return;
          }
          expect(key).toBeDefined();
          expect(key?.length).toBeGreaterThan(0);
          expect(key?.length).toBeLessThanOrEqual(255);
          expect(/^[\x20-\x7e]+$/.test(key as string)).toBe(true);
        },
      ),
    );
  });

  it('property: hostile suffixes (parameters, list members, tokens) after a valid string are rejected', () => {
    fc.assert(
      fc.property(
        printable.filter((s) => s.length > 0 && s.length < 100),
        fc.constantFrom(';a=1', ';a', ', "b"', ',', 'x', '"', '""', ' ;q'),
        (key, suffix) => {
          expect(rejects(`${formatIdempotencyKey(key)}${suffix}`)).toBe(true);
        },
      ),
    );
  });
});

describe('formatIdempotencyKey', () => {
  it('quotes and escapes', () => {
    expect(formatIdempotencyKey('a"b\\')).toBe('"a\\"b\\\\"');
  });
  it('refuses empty and non-ASCII keys', () => {
    expect(() => formatIdempotencyKey('')).toThrow(/empty/);
    expect(() => formatIdempotencyKey('é')).toThrow(/printable/);
  });
});
