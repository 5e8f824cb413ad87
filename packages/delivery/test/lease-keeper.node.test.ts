import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { Emitter } from '../src/events.js';
import { LeaseKeeper } from '../src/lease-keeper.js';
import type { ClaimedDelivery, DeliveryStore, HeldLease } from '../src/store.js';
import type { WorkerConfig } from '../src/worker-config.js';
import { recordingMetrics } from './helpers.js';

const T0 = 1_700_000_000_000;

function claimed(id: string, leaseToken: string): ClaimedDelivery {
  return {
    id,
    messageId: id,
    endpointId: 'ep_1',
    eventType: 'a',
    payload: '{}',
    createdAt: T0,
    nextAt: T0 + 3_000,
    status: 'inflight',
    attempts: 0,
    lastError: null,
    updatedAt: T0,
    leaseToken,
    leaseUntil: T0 + 3_000,
  };
}

function keeper(renew: (leases: readonly HeldLease[], until: number) => Promise<readonly string[]>) {
  const clock = new FakeClock(T0);
  const metrics = recordingMetrics();
  const errors: unknown[] = [];
  const events = new Emitter<{ error: unknown }>();
  events.on('error', (e) => errors.push(e));
  const config = {
    clock,
    timers: clock,
    leaseMs: 3_000,
    metrics,
    events,
    transport: { mode: 'real' },
    store: { renew } as unknown as DeliveryStore,
  } as unknown as WorkerConfig;
  return { clock, metrics, errors, keeper: new LeaseKeeper(config) };
}

describe('LeaseKeeper', () => {
  it('renews every leaseMs / 3 and hands attempts the current expiry', async () => {
    const calls: Array<{ ids: string[]; until: number }> = [];
    const { clock, keeper: k } = keeper(async (leases, until) => {
      calls.push({ ids: leases.map((l) => l.id), until });
      return leases.map((l) => l.id);
    });
    const a = claimed('a', 't1');
    k.hold(a);
    await clock.advanceAsync(999);
    expect(calls).toEqual([]);
    await clock.advanceAsync(1);
    expect(calls).toEqual([{ ids: ['a'], until: T0 + 4_000 }]);
    expect(k.start(a, new AbortController())?.leaseUntil).toBe(T0 + 4_000);
    k.release(a);
    await clock.advanceAsync(10_000);
    expect(calls).toHaveLength(1); // nothing held: no renewals
    await k.close();
  });

  it('fences out an older lease of a delivery this worker claimed again, and a wrong token', async () => {
    const { metrics, keeper: k } = keeper(async () => []);
    const controller = new AbortController();
    const old = claimed('a', 't1');
    k.hold(old);
    expect(k.start(old, controller)).toBe(old);
    k.hold(claimed('a', 't2'));
    expect(controller.signal.reason).toMatchObject({ name: 'LeaseLost' });
    expect(metrics.counters.get('webhook.lease_lost')).toBe(1);
    expect(k.start(old, new AbortController())).toBeUndefined();
    k.release(old); // the old attempt finishing does not drop the new lease
    expect(k.start(claimed('a', 't2'), new AbortController())).toBeDefined();
    await k.close();
  });

  it('ignores an answer about a lease released while the renewal was in flight, and stops on close', async () => {
    let answer: ((ids: string[]) => void) | undefined;
    const {
      clock,
      metrics,
      keeper: k,
    } = keeper(
      () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    );
    const a = claimed('a', 't1');
    const b = claimed('b', 't1');
    k.hold(a);
    k.hold(b);
    await clock.advanceAsync(1_000);
    k.release(a); // finished meanwhile: "not renewed" is not a loss
    answer?.(['b']);
    await clock.advanceAsync(0);
    expect(metrics.counters.get('webhook.lease_lost')).toBeUndefined();
    const closing = k.close();
    await closing;
    await clock.advanceAsync(10_000);
    expect(k.start(b, new AbortController())?.leaseUntil).toBe(T0 + 4_000);
  });

  it('reports a failed renewal as an error and tries again on the next beat', async () => {
    let fail = true;
    const {
      clock,
      errors,
      keeper: k,
    } = keeper(async (leases) => {
      if (fail) throw new Error('store down');
      return leases.map((l) => l.id);
    });
    const a = claimed('a', 't1');
    k.hold(a);
    await clock.advanceAsync(1_000);
    expect(errors).toHaveLength(1);
    fail = false;
    await clock.advanceAsync(1_000);
    expect(k.start(a, new AbortController())?.leaseUntil).toBe(T0 + 5_000);
    await k.close();
  });
});
