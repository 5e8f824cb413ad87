import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseHttpDate, parseRetryAfter } from '../src/index.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function parts(ms: number) {
  const d = new Date(ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return { d, time, month: MONTHS[d.getUTCMonth()], year: d.getUTCFullYear(), day: d.getUTCDate() };
}
const imfFixdate = (ms: number) => {
  const { d, time, month, year, day } = parts(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(day)} ${month} ${pad(year, 4)} ${time} GMT`;
};
const rfc850 = (ms: number) => {
  const { d, time, month, year, day } = parts(ms);
  return `${LONG[d.getUTCDay()]}, ${pad(day)}-${month}-${pad(year % 100)} ${time} GMT`;
};
const asctime = (ms: number) => {
  const { d, time, month, year, day } = parts(ms);
  return `${DAYS[d.getUTCDay()]} ${month} ${String(day).padStart(2, ' ')} ${time} ${pad(year, 4)}`;
};

// 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z in whole seconds: the range a 4DIGIT year covers.
const YEAR_0 = new Date(0).setUTCFullYear(0, 0, 1);
const anyInstant = fc
  .integer({ min: YEAR_0 / 1000, max: Date.UTC(9999, 11, 31, 23, 59, 59) / 1000 })
  .map((s) => s * 1000);
const NOW = Date.parse('2026-12-07T06:00:00Z');
const FIFTY_YEARS_AHEAD = Date.parse('2076-12-07T06:00:00Z');
const RFC_EXAMPLE = Date.parse('1994-11-06T08:49:37Z');

describe('parseHttpDate', () => {
  it('reads the three forms of RFC 9110 §5.6.7 as the same instant', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(RFC_EXAMPLE);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(RFC_EXAMPLE);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(RFC_EXAMPLE);
    expect(parseHttpDate('Sun Nov 06 08:49:37 1994', NOW)).toBe(RFC_EXAMPLE);
  });

  it.each([
    ['Sun, 6 Nov 1994 08:49:37 GMT', 'one-digit day in IMF-fixdate'],
    ['sun, 06 Nov 1994 08:49:37 GMT', 'lower-case day name'],
    ['Sun, 06 NOV 1994 08:49:37 GMT', 'upper-case month'],
    ['Sun, 06 Nov 1994 08:49:37 UTC', 'zone other than GMT'],
    ['Sun, 06 Nov 1994 08:49:37 +0000', 'numeric zone'],
    ['Sun, 06 Nov 94 08:49:37 GMT', 'two-digit year in IMF-fixdate'],
    ['Sun 06 Nov 1994 08:49:37 GMT', 'missing comma'],
    ['Sun,  06 Nov 1994 08:49:37 GMT', 'double space'],
    ['Sun, 06 Nov 1994 24:00:00 GMT', 'hour 24'],
    ['Sun, 06 Nov 1994 08:60:00 GMT', 'minute 60'],
    ['Sun, 06 Nov 1994 08:49:61 GMT', 'second 61'],
    ['Sun, 29 Feb 1900 00:00:00 GMT', '29 February of a century non-leap year'],
    ['Sun, 31 Apr 2026 00:00:00 GMT', '31 April'],
    ['Sun, 00 Nov 1994 08:49:37 GMT', 'day 0'],
    ['Sun, 06-Nov-94 08:49:37 GMT', 'RFC 850 with a short day name'],
    ['Sunday, 06-Nov-1994 08:49:37 GMT', 'RFC 850 with a four-digit year'],
    ['Sun Nov 6 08:49:37 1994', 'asctime with one space before a one-digit day'],
    ['Sun Nov  6 08:49:37 1994 GMT', 'asctime with a zone'],
    ['1994-11-06T08:49:37Z', 'ISO 8601'],
    ['Sun, 06 Nov 1994 08:49:37 GMT ', 'trailing space (callers trim OWS)'],
    ['Sun, ０６ Nov 1994 08:49:37 GMT', 'full-width digits'],
  ])('refuses %j (%s)', (value) => {
    expect(parseHttpDate(value, NOW)).toBeUndefined();
  });

  it('accepts 29 February of leap years and a leap second', () => {
    expect(parseHttpDate('Tue, 29 Feb 2000 00:00:00 GMT', NOW)).toBe(Date.UTC(2000, 1, 29));
    expect(parseHttpDate('Wed, 31 Dec 2025 23:59:60 GMT', NOW)).toBe(Date.UTC(2026, 0, 1));
  });

  it('resolves an RFC 850 year exactly 50 years ahead to this century and one second later to the last', () => {
    expect(parseHttpDate('Monday, 07-Dec-76 06:00:00 GMT', NOW)).toBe(FIFTY_YEARS_AHEAD);
    expect(parseHttpDate('Monday, 07-Dec-76 06:00:01 GMT', NOW)).toBe(Date.UTC(1976, 11, 7, 6, 0, 1));
    // Late in a century, small two-digit years belong to the next one.
    expect(parseHttpDate('Friday, 01-Jan-10 00:00:00 GMT', Date.UTC(2090, 0, 1))).toBe(Date.UTC(2110, 0, 1));
  });

  it('returns undefined for a non-string or an overlong value', () => {
    expect(parseHttpDate(42 as unknown as string, NOW)).toBeUndefined();
    expect(parseHttpDate(`Sun, 06 Nov 1994 08:49:37 GMT${' '.repeat(20)}`, NOW)).toBeUndefined();
  });

  it('throws a TypeError for a non-finite now', () => {
    for (const now of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', now)).toThrow(TypeError);
    }
  });

  it('round-trips any IMF-fixdate and asctime in years 0000-9999 (property)', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: -1e14, max: 1e14 }), (ms, now) => {
        expect(parseHttpDate(imfFixdate(ms), now)).toBe(ms);
        expect(parseHttpDate(asctime(ms), now)).toBe(ms);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any RFC 850 date within 50 years of now, and puts every two-digit year in that window (property)', () => {
    const nowArb = fc
      .integer({ min: Date.UTC(1000, 0, 1) / 1000, max: Date.UTC(9900, 0, 1) / 1000 })
      .map((s) => s * 1000);
    fc.assert(
      fc.property(nowArb, fc.integer({ min: -50 * 365 * 86_400, max: 50 * 365 * 86_400 }), (now, offsetSec) => {
        const ms = now + offsetSec * 1000;
        expect(parseHttpDate(rfc850(ms), now)).toBe(ms);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(nowArb, anyInstant, (now, ms) => {
        const parsed = parseHttpDate(rfc850(ms), now);
        if (parsed === undefined) return; // 29 Feb moved to a non-leap year of another century
        const year = new Date(parsed).getUTCFullYear();
        const nowYear = new Date(now).getUTCFullYear();
        expect(year % 100).toBe(new Date(ms).getUTCFullYear() % 100);
        expect(year).toBeGreaterThanOrEqual(nowYear - 50);
        expect(year).toBeLessThanOrEqual(nowYear + 50);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['120', 120_000],
    ['007', 7_000],
    [' \t7\t ', 7_000],
    ['Sun, 06 Nov 1994 08:50:37 GMT', 60_000],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 0],
    ['Sun Nov  6 08:49:38 1994', 1_000],
  ])('%j → %d ms', (value, expected) => {
    expect(parseRetryAfter(value, RFC_EXAMPLE)).toBe(expected);
  });

  it.each([['-1'], ['+1'], ['1.5'], ['1e3'], ['0x10'], ['soon'], [''], ['  '], ['\n7'], ['７'], ['Infinity'], ['NaN']])(
    'refuses %j',
    (value) => {
      expect(parseRetryAfter(value, RFC_EXAMPLE)).toBeUndefined();
    },
  );

  it('ignores missing values', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('gives 0 for a date in the past, even a distant one', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sat, 01 Jan 0000 00:00:00 GMT', NOW)).toBe(0);
  });

  it('clamps huge values to a finite cap: MAX_RETRY_AFTER_MS by default, or maxMs', () => {
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('2147483', NOW)).toBe(2_147_483_000);
    expect(parseRetryAfter('2147484', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('60', NOW, { maxMs: 59_999 })).toBe(59_999);
    expect(parseRetryAfter('60', NOW, { maxMs: 60_000 })).toBe(60_000);
    expect(parseRetryAfter('1', NOW, { maxMs: 0 })).toBe(0);
    expect(parseRetryAfter('1', NOW, { maxMs: Number.MAX_VALUE })).toBe(1_000);
  });

  it('validates maxMs and now', () => {
    expect(() => parseRetryAfter('1', NOW, { maxMs: -1 })).toThrow(RangeError);
    expect(() => parseRetryAfter('1', NOW, { maxMs: Number.NaN })).toThrow('`maxMs`');
    expect(() => parseRetryAfter('1', NOW, { maxMs: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => parseRetryAfter('1', Number.NaN)).toThrow('`now`');
  });

  it('reads any run of digits as seconds, clamped (property)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 5 }), (n, zeros) => {
        expect(parseRetryAfter(`${'0'.repeat(zeros)}${n}`, NOW)).toBe(Math.min(n * 1000, MAX_RETRY_AFTER_MS));
      }),
    );
  });

  it('measures any date form from now (property)', () => {
    fc.assert(
      fc.property(anyInstant, fc.constantFrom(imfFixdate, asctime), (ms, format) => {
        const expected = Math.min(Math.max(0, ms - NOW), MAX_RETRY_AFTER_MS);
        expect(parseRetryAfter(format(ms), NOW)).toBe(expected);
      }),
    );
  });

  it('never throws on hostile strings and returns undefined or a finite wait in [0, cap] (property)', () => {
    const mutated = fc
      .tuple(anyInstant, fc.nat(40), fc.string({ maxLength: 3, unit: 'grapheme' }))
      .map(([ms, at, insert]) => {
        const text = imfFixdate(ms);
        return text.slice(0, at) + insert + text.slice(at + 1);
      });
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('0', '9', ' ', '\t', ',', ':', '-', 'G', 'M', 'T', 'S', 'u', 'n') }),
      mutated,
    );
    fc.assert(
      fc.property(hostile, fc.integer({ min: -8.64e15, max: 8.64e15 }), (value, now) => {
        const result = parseRetryAfter(value, now);
        if (result !== undefined) {
          expect(Number.isFinite(result)).toBe(true);
          expect(result).toBeGreaterThanOrEqual(0);
          expect(result).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
        }
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('stays linear on a megabyte of whitespace or digits', () => {
    expect(parseRetryAfter(`${' '.repeat(1_000_000)}x${' '.repeat(1_000_000)}`, NOW)).toBeUndefined();
    expect(parseRetryAfter(`${' \t'.repeat(500_000)}5`, NOW)).toBe(5_000);
    expect(parseRetryAfter('1'.repeat(1_000_000), NOW)).toBe(MAX_RETRY_AFTER_MS);
  });
});
