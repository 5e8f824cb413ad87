import { describe, expect, it, vi } from 'vitest';
import {
  createMemoryStore,
  createRateLimiter,
  type DecisionEvent,
  isRateLimitKeyError,
  type PolicyOutcome,
  type Store,
} from '../src/index.js';
import { fakeLimiter } from './support/limiter.js';

/** A store whose answers the test controls. */
function controlledStore() {
  const memory = createMemoryStore();
  let mode: 'ok' | 'throw' | 'reject' | 'hang' | 'async' | 'bad' = 'async';
  const store: Store = {
    name: 'controlled',
    decide(key, policies, cost) {
      if (mode === 'throw') throw new Error('connection refused');
      if (mode === 'reject') return Promise.reject(new Error('ECONNRESET'));
      if (mode === 'hang') return new Promise<readonly PolicyOutcome[]>(() => {});
      if (mode === 'bad') return Promise.resolve([]);
      const outcomes = memory.decide(key, policies, cost);
      return mode === 'async' ? Promise.resolve(outcomes) : outcomes;
    },
  };
  return {
    store,
    set: (m: typeof mode): void => {
      mode = m;
    },
  };
}

describe('createRateLimiter: fail-closed', () => {
  it('denies with store_unavailable when the store throws or rejects', async () => {
    const { store, set } = controlledStore();
    const { limiter, warnings } = fakeLimiter({ limit: 5, windowMs: 1_000, store });
    set('throw');
    expect(await limiter.limit('k')).toMatchObject({
      allowed: false,
      reason: 'store_unavailable',
      degraded: false,
      remaining: 0,
      retryAfterMs: 1_000,
      policies: [],
    });
    set('reject');
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
    expect(limiter.healthy).toBe(false);
    expect(warnings).toEqual(['rate limiter store failing']);
  });

  it('denies with store_timeout exactly at deadlineMs, driven by injected timers', async () => {
    const { store, set } = controlledStore();
    const { limiter, clock } = fakeLimiter({ limit: 5, windowMs: 1_000, store, deadlineMs: 50 });
    set('hang');
    let settled: unknown;
    void limiter.limit('k').then((d) => (settled = d));
    await clock.advanceAsync(49);
    expect(settled).toBeUndefined();
    await clock.advanceAsync(1);
    expect(settled).toMatchObject({ allowed: false, reason: 'store_timeout' });
  });

  it('defaults the deadline to 100 ms', async () => {
    const { store, set } = controlledStore();
    const { limiter, clock } = fakeLimiter({ limit: 5, windowMs: 1_000, store });
    set('hang');
    const pending = limiter.limit('k');
    await clock.advanceAsync(100);
    expect(await pending).toMatchObject({ reason: 'store_timeout' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('treats a thenable whose then() throws as store_unavailable', async () => {
    const broken = {
      // biome-ignore lint/suspicious/noThenProperty: a deliberately broken thenable
      then: () => {
        throw new Error('broken thenable');
      },
    };
    const store: Store = { name: 'broken', decide: () => broken as unknown as Promise<readonly PolicyOutcome[]> };
    const { limiter, clock } = fakeLimiter({ limit: 5, windowMs: 1_000, store });
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('treats a malformed store reply as store_unavailable', async () => {
    const { store, set } = controlledStore();
    const { limiter } = fakeLimiter({ limit: 5, windowMs: 1_000, store });
    set('bad');
    expect(await limiter.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
  });

  it('recovers automatically when the store answers again, and logs both transitions', async () => {
    const { store, set } = controlledStore();
    const { limiter, warnings, clock } = fakeLimiter({ limit: 2, windowMs: 1_000, store });
    set('reject');
    await limiter.limit('k');
    set('async');
    expect(await limiter.limit('k')).toMatchObject({ allowed: true, reason: 'ok' });
    expect(limiter.healthy).toBe(true);
    expect(warnings).toEqual(['rate limiter store failing', 'rate limiter store recovered']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('answers synchronous stores without a timer', async () => {
    const { store, set } = controlledStore();
    const { limiter, clock } = fakeLimiter({ limit: 2, windowMs: 1_000, store });
    set('ok');
    const pending = limiter.limit('k');
    expect(clock.pendingTimers).toBe(0);
    expect(await pending).toMatchObject({ allowed: true });
  });
});

describe('createRateLimiter: fallbacks', () => {
  it('fails open only when asked, and says so in the log and the decision', async () => {
    const { store, set } = controlledStore();
    const { limiter, warnings } = fakeLimiter({ limit: 5, windowMs: 1_000, store, failMode: 'open' });
    expect(warnings[0]).toMatch(/fail open/);
    set('throw');
    expect(await limiter.limit('k')).toMatchObject({
      allowed: true,
      reason: 'store_unavailable',
      degraded: true,
      remaining: 5,
      retryAfterMs: 0,
    });
  });

  it('local mode applies a stricter per-instance limit while the store fails', async () => {
    const { store, set } = controlledStore();
    const { limiter, clock } = fakeLimiter({
      limit: 10,
      windowMs: 1_000,
      store,
      failMode: 'local',
      localLimitFactor: 0.3,
    });
    set('reject');
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.limit('k'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions[0]).toMatchObject({ reason: 'store_unavailable', degraded: true, limit: 3 });
    await limiter.reset('k');
    set('hang');
    const pending = limiter.limit('k');
    await clock.advanceAsync(100);
    expect(await pending).toMatchObject({ allowed: true, reason: 'store_timeout', degraded: true });
  });
});

describe('createRateLimiter: calls', () => {
  it('reports every decision to onDecision and ignores observer errors', async () => {
    const events: DecisionEvent[] = [];
    const { store, set } = controlledStore();
    const { limiter } = fakeLimiter({
      limit: 1,
      windowMs: 1_000,
      store,
      onDecision: (e) => {
        events.push(e);
        throw new Error('observer bug');
      },
    });
    await limiter.limit('a');
    set('reject');
    await limiter.limit('a');
    expect(events.map((e) => [e.key, e.decision.reason])).toEqual([
      ['a', 'ok'],
      ['a', 'store_unavailable'],
    ]);
    expect(events[1]?.cause).toBeInstanceOf(Error);
  });

  it('attaches each policy to the outcomes of a store that does not', async () => {
    const store: Store = {
      name: 'plain',
      decide: () => [{ allowed: true, remaining: 3, resetMs: 10, retryAfterMs: 0 }],
    };
    const { limiter } = fakeLimiter({ limit: 4, windowMs: 1_000, store });
    const decision = await limiter.limit('k');
    expect(decision.policies).toEqual([
      { allowed: true, remaining: 3, resetMs: 10, retryAfterMs: 0, policy: limiter.policies[0] },
    ]);
  });

  it('rejects empty and non-string keys with a typed error', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    const error = await limiter.limit('').catch((e: unknown) => e);
    expect(isRateLimitKeyError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'rate_limit_invalid_key' });
    await expect(limiter.limit(42 as unknown as string)).rejects.toMatchObject({
      detail: expect.stringMatching(/number/),
    });
  });

  it('hashes over-long keys so they share state only with the same key', async () => {
    const seen: string[] = [];
    const { limiter } = fakeLimiter({
      limit: 1,
      windowMs: 1_000,
      maxKeyLength: 16,
      onDecision: (e) => seen.push(e.key),
    });
    const long = 'x'.repeat(10_000);
    expect((await limiter.limit(long)).allowed).toBe(true);
    expect((await limiter.limit(long)).allowed).toBe(false);
    expect((await limiter.limit(`${long}y`)).allowed).toBe(true);
    expect(seen[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    await limiter.reset(long);
    expect((await limiter.limit(long)).allowed).toBe(true);
  });

  it('rejects an invalid cost', async () => {
    const { limiter } = fakeLimiter({ limit: 1, windowMs: 1_000 });
    await expect(limiter.limit('k', { cost: -1 })).rejects.toThrow(/`cost`/);
    await expect(limiter.limit('k', { cost: 1.5 })).rejects.toThrow(RangeError);
  });

  it('honours an abort signal before and while waiting', async () => {
    const { store, set } = controlledStore();
    const { limiter, clock } = fakeLimiter({ limit: 1, windowMs: 1_000, store });
    await expect(limiter.limit('k', { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    set('hang');
    const controller = new AbortController();
    const pending = limiter.limit('k', { signal: controller.signal });
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
    expect(clock.pendingTimers).toBe(0);
  });

  it('uses the system clock and timers by default', async () => {
    vi.useFakeTimers();
    try {
      const limiter = createRateLimiter({ limit: 1, windowMs: 1_000, logger: { warn: () => {} } });
      expect((await limiter.limit('k')).allowed).toBe(true);
      expect((await limiter.limit('k')).allowed).toBe(false);
      vi.advanceTimersByTime(1_000);
      expect((await limiter.limit('k')).allowed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    [undefined, false],
    ['closed', false],
    ['local', false],
    ['open', true],
  ] as const)('warns "configured to fail open" at construction only when failMode is open (%s)', (failMode, warned) => {
    const warnings: string[] = [];
    createRateLimiter({ limit: 1, windowMs: 1_000, failMode, logger: { warn: (m) => warnings.push(m) } });
    expect(warnings.some((m) => /fail open/.test(m))).toBe(warned);
    expect(warnings).toHaveLength(warned ? 1 : 0);
  });

  it('logs to console by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createRateLimiter({ limit: 1, windowMs: 1_000, failMode: 'open' });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/fail open/), { store: 'memory' });
    warn.mockRestore();
  });
});
