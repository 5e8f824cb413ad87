import { describe, expect, it } from 'vitest';
import { createMemoryStore, createRateLimiter, type RateLimiterOptions } from '../src/index.js';

const bad: Array<[string, RateLimiterOptions, RegExp]> = [
  ['no limit', { windowMs: 1_000 }, /`limit`/],
  ['zero limit', { limit: 0, windowMs: 1_000 }, /`limit`/],
  ['fractional limit', { limit: 1.5, windowMs: 1_000 }, /`limit`/],
  ['no window', { limit: 1 }, /`windowMs`/],
  ['negative window', { limit: 1, windowMs: -5 }, /`windowMs`/],
  ['unknown algorithm', { algorithm: 'leaky' as never, limit: 1, windowMs: 1 }, /`algorithm`/],
  ['bad name', { name: 'has space', limit: 1, windowMs: 1 }, /`name`/],
  ['rate on a window algorithm', { algorithm: 'fixed-window', rate: 5 }, /`rate`/],
  ['rate and limit', { rate: 5, limit: 5 }, /either `rate`/],
  ['zero rate', { rate: 0 }, /`rate`/],
  ['bad burst', { rate: 5, burst: 0.5 }, /`burst`/],
  ['deadline', { limit: 1, windowMs: 1, deadlineMs: 0 }, /`deadlineMs`/],
  ['failMode', { limit: 1, windowMs: 1, failMode: 'maybe' as never }, /`failMode`/],
  ['localLimitFactor', { limit: 1, windowMs: 1, localLimitFactor: 2 }, /`localLimitFactor`/],
  ['maxKeyLength', { limit: 1, windowMs: 1, maxKeyLength: 1 }, /`maxKeyLength`/],
  ['store', { limit: 1, windowMs: 1, store: {} as never }, /`store`/],
  ['no policies', { policies: [] }, /`policies`/],
  [
    'duplicate names',
    {
      policies: [
        { limit: 1, windowMs: 1 },
        { name: 'p0', limit: 1, windowMs: 1 },
      ],
    },
    /unique/,
  ],
  ['policy index', { policies: [{ limit: 1, windowMs: 1 }, { limit: 1 }] }, /`policies\[1\]\.windowMs`/],
];

describe('option validation', () => {
  it.each(bad)('rejects %s, naming the option', (_label, options, message) => {
    expect(() => createRateLimiter(options)).toThrow(message);
  });

  it('names policies and defaults to GCRA', () => {
    const limiter = createRateLimiter({
      policies: [
        { limit: 1, windowMs: 1 },
        { name: 'hour', limit: 2, windowMs: 5 },
      ],
    });
    expect(limiter.policies.map((p) => [p.name, p.algorithm])).toEqual([
      ['p0', 'gcra'],
      ['hour', 'gcra'],
    ]);
    expect(createRateLimiter({ rate: 2.5 }).policies[0]).toMatchObject({ name: 'default', limit: 3, windowMs: 1_200 });
  });

  it('validates maxKeys of the memory store', () => {
    expect(() => createMemoryStore({ maxKeys: 0 })).toThrow(/`maxKeys`/);
  });
});
