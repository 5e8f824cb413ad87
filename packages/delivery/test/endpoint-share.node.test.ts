import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDispatcher, type DeliveryStore, type Transport, type TransportResponse } from '../src/index.js';

const T0 = Date.UTC(2026, 0, 1);

interface Scenario {
  readonly concurrency: number;
  readonly maxInflightPerEndpoint: number;
  readonly prefetch: number;
  /** Deliveries per endpoint. */
  readonly backlog: readonly number[];
  /** Per attempt (cycled): how long it takes (fake ms) and whether it fails (retried later). */
  readonly attempts: ReadonlyArray<{ readonly ms: number; readonly fail: boolean }>;
  /** Per step (cycled): how far the fake clock moves. */
  readonly steps: readonly number[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  concurrency: fc.integer({ min: 1, max: 6 }),
  maxInflightPerEndpoint: fc.integer({ min: 1, max: 4 }),
  prefetch: fc.integer({ min: 0, max: 6 }),
  backlog: fc.array(fc.integer({ min: 1, max: 14 }), { minLength: 1, maxLength: 3 }),
  attempts: fc.array(fc.record({ ms: fc.integer({ min: 0, max: 40 }), fail: fc.boolean() }), {
    minLength: 1,
    maxLength: 20,
  }),
  steps: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 10 }),
});

/**
 * Runs a backlog through a dispatcher with random attempt durations, failures and clock steps,
 * watching what the worker holds of each endpoint: leased by a claim and not yet completed.
 * Answers the most any endpoint held right after a claim.
 */
async function mostHeld(s: Scenario): Promise<{ most: number; share: number; sent: number }> {
  const clock = new FakeClock(T0);
  const store: DeliveryStore = createSqliteStore({ path: ':memory:' });
  let calls = 0;
  const transport: Transport = {
    mode: 'real',
    async close() {},
    send() {
      const { ms, fail } = s.attempts[calls++ % s.attempts.length]!;
      return new Promise<TransportResponse>((resolve) => {
        clock.setTimeout(() => resolve({ status: fail ? 500 : 200, retryAfter: null, body: '' }), ms);
      });
    },
  };
  const held = new Map<string, number>();
  let most = 0;
  const claim = store.claim.bind(store);
  store.claim = async (options) => {
    const claimed = await claim(options);
    for (const d of claimed) held.set(d.endpointId, (held.get(d.endpointId) ?? 0) + 1);
    for (const n of held.values()) most = Math.max(most, n);
    return claimed;
  };
  const complete = store.complete.bind(store);
  store.complete = async (id, token, completion) => {
    const done = await complete(id, token, completion);
    // Counted down when the store has it, before the worker frees the slot: never above the worker's own count.
    const endpointId = id.slice(id.lastIndexOf(':') + 1);
    held.set(endpointId, (held.get(endpointId) ?? 0) - 1);
    return done;
  };
  const dispatcher = createDispatcher({
    store,
    transport,
    clock,
    timers: clock,
    random: () => 0.5,
    concurrency: s.concurrency,
    maxInflightPerEndpoint: s.maxInflightPerEndpoint,
    prefetch: s.prefetch,
    retrySchedule: [5, 5, 5],
    policies: {}, // no breaker: its recheck waits would only slow the run down
    pollIntervalMs: 7,
  });
  try {
    for (const [i, n] of s.backlog.entries()) {
      await dispatcher.endpoints.create({ id: `ep${i}`, url: `https://e${i}.example.com/hook`, eventTypes: [`t${i}`] });
      for (let k = 0; k < n; k++) await dispatcher.publish({ type: `t${i}`, payload: k });
    }
    const total = s.backlog.reduce((a, b) => a + b, 0);
    dispatcher.start();
    for (let step = 0; step < 4_000; step++) {
      const { succeeded, dead } = await store.counts();
      if (succeeded + dead === total) break;
      await clock.advanceAsync(s.steps[step % s.steps.length]!);
    }
    const { succeeded, dead } = await store.counts();
    expect(succeeded + dead).toBe(total);
  } finally {
    await dispatcher.close({ deadlineMs: 0 });
    await store.close();
  }
  const share = s.maxInflightPerEndpoint + Math.min(s.prefetch, s.maxInflightPerEndpoint);
  return { most, share, sent: calls };
}

describe('endpoint share (prefetch)', () => {
  it('never leases an endpoint more than its share (in flight + queued), whatever the completion timings', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { most, share, sent } = await mostHeld(s);
        expect(sent).toBeGreaterThan(0);
        expect(most).toBeLessThanOrEqual(share);
      }),
      { numRuns: 60 },
    );
  });

  it('claims only the rest of a share that is partly held (2 in flight + 1 queued of 4: one more)', async () => {
    // The smallest case of the property above, written out: fails before the fix with 6 held.
    const { most, share } = await mostHeld({
      concurrency: 4,
      maxInflightPerEndpoint: 2,
      prefetch: 2,
      backlog: [12],
      attempts: [{ ms: 10, fail: false }],
      steps: [1],
    });
    expect(share).toBe(4);
    expect(most).toBe(4);
  });
});
