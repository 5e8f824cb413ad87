import { MAX_RETRY_AFTER_MS } from '@bulwark/core';
import { err } from '@bulwark/errors';
import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryHintMs } from '../src/retry-hint.js';

const clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
const withHeaders = (headers: Record<string, string>) =>
  Object.assign(new Error('http'), { headers: new Headers(headers) });

describe('retryHintMs', () => {
  it('reads retryAfterMs on the error or in its extensions', () => {
    expect(retryHintMs(Object.assign(new Error('x'), { retryAfterMs: 1_500 }), clock.now())).toBe(1_500);
    expect(retryHintMs(err('conflict', { extensions: { retryAfterMs: 2_500 } }), clock.now())).toBe(2_500);
  });

  it('parses Retry-After in seconds and as an HTTP-date from the injected clock', () => {
    expect(retryHintMs(withHeaders({ 'retry-after': '12' }), clock.now())).toBe(12_000);
    const at = new Date(clock.now() + 30_000).toUTCString();
    expect(retryHintMs({ response: { headers: new Headers({ 'retry-after': at }) } }, clock.now())).toBe(30_000);
  });

  it('reads an exhausted IETF RateLimit field, the longest exhausted policy winning', () => {
    expect(retryHintMs(withHeaders({ ratelimit: '"burst";r=0;t=5, "hour";r=0;t=90' }), clock.now())).toBe(90_000);
    expect(retryHintMs(withHeaders({ ratelimit: '"burst";r=3;t=5' }), clock.now())).toBeUndefined();
    expect(retryHintMs(withHeaders({ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }), clock.now())).toBe(7_000);
    expect(
      retryHintMs(withHeaders({ 'ratelimit-remaining': '1', 'ratelimit-reset': '7' }), clock.now()),
    ).toBeUndefined();
  });

  it('prefers Retry-After over a RateLimit field', () => {
    expect(retryHintMs(withHeaders({ 'retry-after': '2', ratelimit: '"p";r=0;t=60' }), clock.now())).toBe(2_000);
  });

  it('ignores malformed, fractional, negative and oversized values', () => {
    for (const value of ['1.5', '-3', '1e3', 'soon', '']) {
      expect(retryHintMs(withHeaders({ 'retry-after': value }), clock.now())).toBeUndefined();
      expect(retryHintMs(withHeaders({ ratelimit: `"p";r=0;t=${value}` }), clock.now())).toBeUndefined();
    }
    expect(retryHintMs(withHeaders({ ratelimit: `"p";r=0;t=5;x=${'a'.repeat(2_000)}` }), clock.now())).toBeUndefined();
    expect(retryHintMs(Object.assign(new Error('x'), { retryAfterMs: Number.NaN }), clock.now())).toBeUndefined();
  });

  it('survives hostile errors and headers', () => {
    const throwingHeaders = {
      headers: {
        get: () => {
          throw new Error('boom');
        },
      },
    };
    expect(retryHintMs(throwingHeaders, clock.now())).toBeUndefined();
    const getter = Object.defineProperty({}, 'headers', {
      get: () => {
        throw new Error('boom');
      },
    });
    expect(retryHintMs(getter, clock.now())).toBeUndefined();
    expect(retryHintMs(null, clock.now())).toBeUndefined();
  });

  it('is always undefined or a finite delay in [0, 2^31 − 1] (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.anything(), (retryAfter, ratelimit, raw) => {
        for (const error of [
          withHeaders({ 'retry-after': retryAfter.replace(/[\r\n\0]/g, '') }),
          withHeaders({ ratelimit: ratelimit.replace(/[\r\n\0]/g, '') }),
          Object.assign(new Error('x'), { retryAfterMs: raw }),
        ]) {
          const hint = retryHintMs(error, clock.now());
          if (hint !== undefined) {
            expect(Number.isFinite(hint)).toBe(true);
            expect(hint).toBeGreaterThanOrEqual(0);
            expect(hint).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
          }
        }
      }),
    );
  });
});
