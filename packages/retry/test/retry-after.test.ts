import { describe, expect, it } from 'vitest';
import { isRetryable, parseRetryAfter, retryAfterFromError } from '../src/index.js';

const NOW = Date.parse('2026-11-22T04:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 7 ', 7_000],
    ['Sun, 22 Nov 2026 04:00:30 GMT', 30_000],
    ['Sun, 22 Nov 2026 03:00:00 GMT', 0],
  ])('%j → %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([['-1'], ['1.5'], ['soon'], [''], ['Sun, 99 Nov 2026 04:00:30 GMT'], ['2026-11-22T04:00:30Z']])(
    'ignores malformed %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );

  it('is the core grammar: RFC 850 and asctime dates yes, a one-digit IMF day no', () => {
    expect(parseRetryAfter('Sunday, 22-Nov-26 04:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sun Nov 22 04:00:31 2026', NOW)).toBe(31_000);
    expect(parseRetryAfter('Sun, 6 Nov 1994 08:49:37 GMT', NOW)).toBeUndefined();
    expect(retryAfterFromError({ headers: new Headers({ 'Retry-After': 'Sun Nov 22 04:00:02 2026' }) }, NOW)).toBe(
      2_000,
    );
  });

  it('ignores missing values', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('retryAfterFromError', () => {
  it('reads retryAfterMs, extensions, headers and response headers', () => {
    expect(retryAfterFromError({ retryAfterMs: 5 }, NOW)).toBe(5);
    expect(retryAfterFromError({ extensions: { retryAfterMs: 6 } }, NOW)).toBe(6);
    expect(retryAfterFromError({ headers: new Headers({ 'Retry-After': '1' }) }, NOW)).toBe(1_000);
    expect(retryAfterFromError({ response: new Response(null, { headers: { 'retry-after': '2' } }) }, NOW)).toBe(2_000);
  });

  it('returns undefined when nothing usable is there', () => {
    expect(retryAfterFromError(undefined, NOW)).toBeUndefined();
    expect(retryAfterFromError('boom', NOW)).toBeUndefined();
    expect(retryAfterFromError({ retryAfterMs: -1, headers: { nope: true } }, NOW)).toBeUndefined();
    expect(retryAfterFromError({ response: null }, NOW)).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('is false once the caller aborted, true for ordinary errors', () => {
    expect(isRetryable(new Error('x'), AbortSignal.abort())).toBe(false);
    expect(isRetryable(new Error('x'), new AbortController().signal)).toBe(true);
    expect(isRetryable('string')).toBe(true);
    expect(isRetryable(null)).toBe(true);
  });
});
