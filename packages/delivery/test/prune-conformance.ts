import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery, DeliveryStore } from '../src/store.js';
import { delivery } from './store-conformance.js';

const T0 = 1_700_000_000_000;

/** Ends a claimed delivery as `status` at `now`, recording one attempt. */
async function finish(
  store: DeliveryStore,
  claimed: ClaimedDelivery,
  status: 'pending' | 'succeeded' | 'dead',
  now: number,
): Promise<void> {
  const attempt = {
    deliveryId: claimed.id,
    n: 0,
    at: now,
    statusCode: 200,
    latencyMs: 1,
    response: '',
    errorCode: null,
  };
  expect(
    await store.complete(claimed.id, claimed.leaseToken, { status, nextAt: now, attempt, lastError: null, now }),
  ).toBe(true);
}

async function claimAll(store: DeliveryStore, now = T0): Promise<Map<string, ClaimedDelivery>> {
  const claimed = await store.claim({ now, leaseMs: 30_000, limit: 100 });
  return new Map(claimed.map((c) => [c.id, c]));
}

/** Retention (`DeliveryStore.prune`) part of the conformance suite; `current()` is the store under test. */
export function describePruneConformance(current: () => DeliveryStore): void {
  describe('prune', () => {
    it('deletes only succeeded deliveries updated before `before`, with attempts and index entries', async () => {
      const store = current();
      const shared = delivery(1, { endpointId: 'ep_b' });
      await store.enqueue([delivery(1), shared, delivery(2), delivery(3), delivery(4), delivery(5)]);
      const c = await claimAll(store);
      await finish(store, c.get(delivery(1).id)!, 'succeeded', T0 + 100);
      await finish(store, c.get(shared.id)!, 'succeeded', T0 + 300);
      await finish(store, c.get(delivery(2).id)!, 'succeeded', T0 + 200);
      await finish(store, c.get(delivery(3).id)!, 'dead', T0 + 50);
      await finish(store, c.get(delivery(4).id)!, 'pending', T0 + 50);
      // delivery 5 stays inflight

      expect(await store.prune({ before: T0 + 300, limit: 10 })).toBe(2);
      expect(await store.getDelivery(delivery(1).id)).toBeUndefined();
      expect(await store.getDelivery(delivery(2).id)).toBeUndefined();
      expect(await store.listAttempts(delivery(1).id)).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 1, inflight: 1, succeeded: 1, dead: 1 });
      expect((await store.listDeliveries({ messageId: 'msg_0001' })).map((d) => d.id)).toEqual([shared.id]);
      expect((await store.listDeliveries({ status: 'succeeded' })).map((d) => d.id)).toEqual([shared.id]);
      expect((await store.listDeliveries()).map((d) => d.messageId)).toEqual([
        'msg_0001',
        'msg_0003',
        'msg_0004',
        'msg_0005',
      ]);
      expect(await store.dlqStats()).toEqual({ size: 1, byEndpoint: { ep_a: 1 }, oldestAt: T0 + 50 });
      expect(await store.listAttempts(shared.id)).toHaveLength(1);
      expect(await store.prune({ before: T0 + 300, limit: 10 })).toBe(0);
      expect(await store.prune({ before: T0 + 301, limit: 10 })).toBe(1);
      expect(await store.listDeliveries({ messageId: 'msg_0001' })).toEqual([]);
    });

    it('honours `limit`, oldest first', async () => {
      const store = current();
      await store.enqueue([1, 2, 3, 4, 5].map((n) => delivery(n)));
      const c = await claimAll(store);
      for (const n of [5, 4, 3, 2, 1]) await finish(store, c.get(delivery(n).id)!, 'succeeded', T0 + n * 10);
      expect(await store.prune({ before: T0 + 1_000, limit: 0 })).toBe(0);
      expect(await store.prune({ before: T0 + 1_000, limit: 2 })).toBe(2);
      expect((await store.listDeliveries()).map((d) => d.messageId)).toEqual(['msg_0003', 'msg_0004', 'msg_0005']);
      expect(await store.prune({ before: T0 + 1_000, limit: 10 })).toBe(3);
      expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: 0, dead: 0 });
    });

    it('keeps a succeeded delivery requeued back to pending, until it succeeds again', async () => {
      const store = current();
      await store.enqueue([delivery(1)]);
      const [first] = await store.claim({ now: T0, leaseMs: 30_000, limit: 1 });
      await finish(store, first!, 'succeeded', T0 + 1);
      expect(await store.requeue({ messageId: 'msg_0001', statuses: ['succeeded'] }, T0 + 10)).toBe(1);
      expect(await store.prune({ before: T0 + 1_000, limit: 10 })).toBe(0);
      expect(await store.getDelivery(delivery(1).id)).toMatchObject({ status: 'pending' });
      const [again] = await store.claim({ now: T0 + 2_000, leaseMs: 30_000, limit: 1 });
      await finish(store, again!, 'succeeded', T0 + 2_000);
      expect(await store.prune({ before: T0 + 1_500, limit: 10 })).toBe(0);
      expect(await store.prune({ before: T0 + 2_001, limit: 10 })).toBe(1);
    });

    it('lets a pruned message id be published again', async () => {
      const store = current();
      await store.enqueue([delivery(1)]);
      const [claimed] = await store.claim({ now: T0, leaseMs: 30_000, limit: 1 });
      await finish(store, claimed!, 'succeeded', T0 + 1);
      expect(await store.prune({ before: T0 + 2, limit: 10 })).toBe(1);
      expect(await store.enqueue([delivery(1)])).toEqual([delivery(1).id]);
      expect(await store.getDelivery(delivery(1).id)).toMatchObject({ status: 'pending', attempts: 0 });
    });
  });
}
