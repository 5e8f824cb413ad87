import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createRateLimiter,
  type DecisionEvent,
  type PolicyOptions,
  type RateLimiter,
  type Store,
} from '../src/index.js';

const quiet = { warn() {} };

/** A clock both limiters read; `failing` makes it throw, as a broken injected clock would. */
class SharedClock {
  failing = false;
  constructor(public t: number) {}
  now(): number {
    if (this.failing) throw new Error('clock broke');
    return this.t;
  }
}

/** Keys: short, empty, non-string, and longer than `maxKeyLength` (16 here, so hashed). */
const key = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<unknown>('a', 'b', 'c', 'd', 'k'.repeat(16)) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('', 'x'.repeat(17), 'y'.repeat(40), 42) },
);
const cost = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 7 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 1_000_000_000, 1_000_000_001),
  },
);
const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('limit' as const),
      key,
      cost,
      abort: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      // `limit(key)` with no options object: the fused path's call.
      bare: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(
        fc.constantFrom(0, 1),
        fc.integer({ min: 0, max: 3_000 }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
      ),
    }),
  },
  // Whole windows, so time lands exactly on window ends and key expiries (2 windows after the last allow).
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('windows' as const), n: fc.constantFrom(0.5, 1, 2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), key }) },
);
const policy: fc.Arbitrary<PolicyOptions> = fc.oneof(
  fc.record({
    algorithm: fc.constantFrom(
      undefined,
      'gcra' as const,
      'token-bucket' as const,
      'sliding-window' as const,
      'fixed-window' as const,
    ),
    limit: fc.integer({ min: 1, max: 6 }),
    windowMs: fc.integer({ min: 1, max: 2_000 }),
  }),
  fc.record({ rate: fc.double({ min: 0.1, max: 50, noNaN: true }), burst: fc.integer({ min: 1, max: 6 }) }),
  fc.constantFrom<PolicyOptions>(
    { limit: 1_000_000_000, windowMs: 1 },
    { limit: 1, windowMs: 366 * 24 * 3_600_000 },
    { algorithm: 'token-bucket', limit: 3, windowMs: 100 },
    { algorithm: 'fixed-window', limit: 3, windowMs: 100 },
    { algorithm: 'sliding-window', limit: 3, windowMs: 100 },
  ),
);

/** Settles a call into a comparable value: the decision, or the rejection's name, code and message. */
async function settle(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { decision: await call() };
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown; message?: unknown };
    return { rejected: { name: e.name, code: e.code, message: e.message } };
  }
}

describe('the fused one-policy memory path', () => {
  it('property: decides exactly as the general path (same decisions, rejections, events, health, keys held)', async () => {
    await fc.assert(
      fc.asyncProperty(
        policy,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('closed' as const, 'open' as const, 'local' as const),
        fc.constantFrom(0, 1_700_000_000_000, 2 ** 52),
        fc.array(op, { maxLength: 40, size: 'max' }),
        fc.boolean(),
        async (options, maxKeys, failMode, start, ops, observed) => {
          const clock = new SharedClock(start);
          const events: [DecisionEvent[], DecisionEvent[]] = [[], []];
          const fusedStore = createMemoryStore({ maxKeys, clock });
          const inner = createMemoryStore({ maxKeys, clock });
          // Not the built-in store object, so its limiter takes the general path.
          const wrapped: Store = {
            name: 'memory',
            decide: (k, p, c) => inner.decide(k, p, c),
            reset: (k, p) => inner.reset(k, p),
          };
          const make = (store: Store, sink: DecisionEvent[]): RateLimiter =>
            createRateLimiter({
              ...options,
              store,
              clock,
              failMode,
              maxKeyLength: 16,
              logger: quiet,
              // With onDecision every call takes the general path (the fused one emits no events).
              onDecision: observed ? (event) => sink.push(event) : undefined,
            });
          const fused = make(fusedStore, events[0]);
          const general = make(wrapped, events[1]);
          for (const step of ops) {
            if (step.kind === 'advance') clock.t += step.ms;
            else if (step.kind === 'windows') clock.t += step.n * (fused.policies[0]?.windowMs ?? 0);
            else if (step.kind === 'fail') clock.failing = step.on;
            else if (step.kind === 'reset') {
              expect(await settle(() => fused.reset(step.key as string))).toStrictEqual(
                await settle(() => general.reset(step.key as string)),
              );
            } else {
              const signal = step.abort ? AbortSignal.abort(new Error('gone')) : undefined;
              const args = step.bare ? undefined : { cost: step.cost, signal };
              const a = await settle(() => fused.limit(step.key as string, args));
              const b = await settle(() => general.limit(step.key as string, args));
              expect(a).toStrictEqual(b);
            }
            expect(fused.healthy).toBe(general.healthy);
            expect(fusedStore.size(fused.policies)).toBe(inner.size(general.policies));
          }
          expect(events[0]).toStrictEqual(events[1]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
