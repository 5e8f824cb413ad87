import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore, createRateLimiter, type Decision, type PolicyOutcome, type Store } from '../src/index.js';

const DEADLINE = 50;
const quiet = { warn() {} };

describe('deadline: fail closed on real slowness only', () => {
  it('uses a reply that arrives in the same timer turn as the deadline', async () => {
    const clock = new FakeClock(0);
    const memory = createMemoryStore({ clock });
    // The reply's timer is registered after the limiter's deadline timer, for the same instant:
    // the reply is there when the deadline fires, like a socket read the busy loop has not reached.
    const store: Store = {
      name: 'same-turn',
      decide: (key, policies, cost) =>
        new Promise<readonly PolicyOutcome[]>((resolve) =>
          queueMicrotask(() => clock.setTimeout(() => resolve(memory.decide(key, policies, cost)), DEADLINE)),
        ),
    };
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, store, deadlineMs: DEADLINE, clock, timers: clock });
    const pending = limiter.limit('k');
    await clock.advanceAsync(DEADLINE);
    expect(await pending).toMatchObject({ allowed: true, reason: 'ok', remaining: 4 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('still denies a store that answers one millisecond after the deadline', async () => {
    const clock = new FakeClock(0);
    const memory = createMemoryStore({ clock });
    const store: Store = {
      name: 'late',
      decide: (key, policies, cost) =>
        new Promise((resolve) => clock.setTimeout(() => resolve(memory.decide(key, policies, cost)), DEADLINE + 1)),
    };
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      store,
      deadlineMs: DEADLINE,
      clock,
      timers: clock,
      logger: quiet,
    });
    let settled: Decision | undefined;
    void limiter.limit('k').then((d) => (settled = d));
    await clock.advanceAsync(DEADLINE);
    expect(settled).toMatchObject({ allowed: false, reason: 'store_timeout' });
  });
});

/**
 * A store with one shared budget whose decisions execute and reply at chosen instants, like a
 * remote store behind a slow link: it charges when it executes and refunds on request.
 */
function remoteCounter(clock: FakeClock, limit: number) {
  const state = { used: 0, refunded: 0 };
  const timing: Array<{ execAt: number; replyAfter: number }> = [];
  let next = 0;
  const store: Store = {
    name: 'remote-counter',
    decide(_key, _policies, cost) {
      const { execAt, replyAfter } = timing[next++] as { execAt: number; replyAfter: number };
      return new Promise<readonly PolicyOutcome[]>((resolve) => {
        clock.setTimeout(() => {
          const allowed = state.used + cost <= limit;
          if (allowed) state.used += cost;
          const outcome = { allowed, remaining: limit - state.used, resetMs: 0, retryAfterMs: allowed ? 0 : 1 };
          clock.setTimeout(() => resolve([outcome]), replyAfter);
        }, execAt);
      });
    },
    refund(_key, _policies, cost) {
      state.used -= cost;
      state.refunded += cost;
    },
  };
  return { store, state, timing };
}

describe('a caller that was not allowed is never charged', () => {
  it('property: units consumed = units of the decisions that allowed, whenever the store executes and replies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            execAt: fc.integer({ min: 0, max: 2 * DEADLINE }),
            replyAfter: fc.integer({ min: 0, max: DEADLINE }),
            cost: fc.integer({ min: 0, max: 3 }),
            abortAt: fc.option(fc.integer({ min: 0, max: 2 * DEADLINE }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.constantFrom<'closed' | 'open' | 'local'>('closed', 'open', 'local'),
        async (calls, failMode) => {
          const clock = new FakeClock(0);
          const remote = remoteCounter(clock, 6);
          const limiter = createRateLimiter({
            limit: 6,
            windowMs: 60_000,
            store: remote.store,
            deadlineMs: DEADLINE,
            failMode,
            clock,
            timers: clock,
            logger: quiet,
          });
          const results = calls.map(({ execAt, replyAfter, cost, abortAt }) => {
            remote.timing.push({ execAt, replyAfter });
            const controller = new AbortController();
            if (abortAt !== undefined) clock.setTimeout(() => controller.abort(new Error('gone')), abortAt);
            const started = clock.now();
            return limiter.limit('k', { cost, signal: controller.signal }).then(
              (decision) => ({ decision, cost, ms: clock.now() - started }),
              () => undefined,
            );
          });
          await clock.advanceAsync(4 * DEADLINE);
          const settled = await Promise.all(results);
          let charged = 0;
          for (const r of settled) {
            if (!r) continue;
            expect(r.ms).toBeLessThanOrEqual(DEADLINE);
            // Only decisions the store made count: a fail-open or local allowance is not a store charge.
            if (r.decision.allowed && !r.decision.degraded) charged += r.cost;
          }
          if (failMode === 'closed') expect(remote.state.used).toBe(charged);
          else expect(remote.state.used).toBeGreaterThanOrEqual(charged);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refunds a late allowing reply for an aborted call, not for a fail-open allowance', async () => {
    const clock = new FakeClock(0);
    const closed = remoteCounter(clock, 6);
    const open = remoteCounter(clock, 6);
    const make = (store: Store, failMode: 'closed' | 'open') =>
      createRateLimiter({
        limit: 6,
        windowMs: 60_000,
        store,
        deadlineMs: DEADLINE,
        failMode,
        clock,
        timers: clock,
        logger: quiet,
      });
    closed.timing.push({ execAt: 10, replyAfter: 100 });
    open.timing.push({ execAt: 10, replyAfter: 100 });
    const controller = new AbortController();
    const aborted = make(closed.store, 'closed')
      .limit('k', { cost: 2, signal: controller.signal })
      .catch((e: unknown) => e);
    const allowedOpen = make(open.store, 'open').limit('k', { cost: 2 });
    clock.setTimeout(() => controller.abort(new Error('client went away')), 20);
    await clock.advanceAsync(200);
    expect(await aborted).toEqual(new Error('client went away'));
    expect(closed.state).toEqual({ used: 0, refunded: 2 });
    expect(await allowedOpen).toMatchObject({ allowed: true, degraded: true, reason: 'store_timeout' });
    expect(open.state).toEqual({ used: 2, refunded: 0 });
  });

  it('logs a refund the store could not make, and never rejects the call for it', async () => {
    const clock = new FakeClock(0);
    const warnings: string[] = [];
    const store: Store = {
      name: 'refund-fails',
      decide: () =>
        new Promise((resolve) =>
          clock.setTimeout(() => resolve([{ allowed: true, remaining: 1, resetMs: 0, retryAfterMs: 0 }]), 80),
        ),
      refund: () => Promise.reject(new Error('store down')),
    };
    const limiter = createRateLimiter({
      limit: 2,
      windowMs: 1_000,
      store,
      deadlineMs: DEADLINE,
      clock,
      timers: clock,
      logger: { warn: (m) => warnings.push(m) },
    });
    const pending = limiter.limit('k');
    await clock.advanceAsync(100);
    expect(await pending).toMatchObject({ allowed: false, reason: 'store_timeout' });
    expect(warnings).toContain('rate limiter could not refund a late charge');
  });

  it.each([
    ['throws', true, true],
    ['has no refund', false, true],
    ['answered with a denial', true, false],
  ])('keeps a late reply harmless when the store %s', async (_, hasRefund, allowed) => {
    const clock = new FakeClock(0);
    const warnings: string[] = [];
    const refunds: number[] = [];
    const store: Store = {
      name: 'late',
      decide: () =>
        new Promise((resolve) =>
          clock.setTimeout(() => resolve([{ allowed, remaining: 1, resetMs: 0, retryAfterMs: allowed ? 0 : 5 }]), 80),
        ),
      ...(hasRefund
        ? {
            refund: (_k: string, _p: unknown, cost: number) => {
              refunds.push(cost);
              if (allowed) throw new Error('refund failed');
            },
          }
        : {}),
    };
    const limiter = createRateLimiter({
      limit: 2,
      windowMs: 1_000,
      store,
      deadlineMs: DEADLINE,
      clock,
      timers: clock,
      logger: { warn: (m) => warnings.push(m) },
    });
    const pending = limiter.limit('k');
    await clock.advanceAsync(100);
    expect(await pending).toMatchObject({ allowed: false, reason: 'store_timeout' });
    expect(refunds).toEqual(hasRefund && allowed ? [1] : []);
    expect(warnings.includes('rate limiter could not refund a late charge')).toBe(hasRefund && allowed);
  });
});

describe('deadline timers: one per tick, every call still timed from its own start', () => {
  /** A store that never answers, so only the deadline settles its calls. */
  const silent: Store = { name: 'silent', decide: () => new Promise<readonly PolicyOutcome[]>(() => {}) };

  it("denies each call at its own deadline: a tick's calls share one timer, a later tick's calls get their own", async () => {
    vi.useFakeTimers();
    try {
      const limiter = createRateLimiter({
        limit: 5,
        windowMs: 1_000,
        store: silent,
        deadlineMs: DEADLINE,
        logger: quiet,
      });
      const settled: string[] = [];
      const track = (name: string, p: Promise<Decision>) => p.then((d) => settled.push(`${name}:${d.reason}`));
      track('a', limiter.limit('a'));
      track('b', limiter.limit('b'));
      track('c', limiter.limit('c'));
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(DEADLINE / 2);
      track('d', limiter.limit('d'));
      expect(vi.getTimerCount()).toBe(2);
      // The deadline, then the one more turn (setImmediate) a timed-out call waits for.
      await vi.advanceTimersByTimeAsync(DEADLINE / 2 + 1);
      expect(settled).toEqual(['a:store_timeout', 'b:store_timeout', 'c:store_timeout']);
      await vi.advanceTimersByTimeAsync(DEADLINE / 2);
      expect(settled).toEqual(['a:store_timeout', 'b:store_timeout', 'c:store_timeout', 'd:store_timeout']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("clears a tick's timer once all of its calls are answered", async () => {
    vi.useFakeTimers();
    try {
      const memory = createMemoryStore();
      const store: Store = {
        name: 'async-memory',
        decide: (key, policies, cost) => Promise.resolve(memory.decide(key, policies, cost)),
      };
      const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, store, deadlineMs: DEADLINE, logger: quiet });
      const decisions = await Promise.all([limiter.limit('a'), limiter.limit('b')]);
      expect(decisions.map((d) => d.reason)).toEqual(['ok', 'ok']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives a call started after its tick-mates all settled a timer of its own', async () => {
    // A thenable that throws settles its call synchronously, before the next call of the tick.
    const throwing: Store = {
      name: 'throwing-thenable',
      decide: () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
          then() {
            throw new Error('broken thenable');
          },
        }) as unknown as Promise<readonly PolicyOutcome[]>,
    };
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, store: throwing, logger: quiet });
    const decisions = await Promise.all([limiter.limit('a'), limiter.limit('b')]);
    expect(decisions.map((d) => d.reason)).toEqual(['store_unavailable', 'store_unavailable']);
  });

  it('rejects the call, never throws, when the timers it was given throw', async () => {
    const store: Store = { name: 'silent', decide: silent.decide };
    const timers = {
      setTimeout: () => {
        throw new Error('no timers here');
      },
      clearTimeout: () => {},
    };
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, store, timers, logger: quiet });
    let pending: Promise<Decision> | undefined;
    expect(() => {
      pending = limiter.limit('k');
    }).not.toThrow();
    await expect(pending).rejects.toThrow('no timers here');
  });
});
