import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptRecord, DeliveryStore, EndpointRecord, NewDelivery } from '../src/store.js';
import { describePruneConformance } from './prune-conformance.js';

/** How the conformance suite gets a store: a fresh one per test, and the same data reopened. */
export interface StoreHarness {
  /** A new, empty store. */
  open(): Promise<DeliveryStore>;
  /** Closes nothing; opens a second handle on the data of the last `open()` (a restart). */
  reopen(): Promise<DeliveryStore>;
}

const T0 = 1_700_000_000_000;

export function delivery(n: number, overrides: Partial<NewDelivery> = {}): NewDelivery {
  const messageId = overrides.messageId ?? `msg_${String(n).padStart(4, '0')}`;
  const endpointId = overrides.endpointId ?? 'ep_a';
  return {
    id: `${messageId}:${endpointId}`,
    messageId,
    endpointId,
    eventType: 'invoice.paid',
    payload: JSON.stringify({ n }),
    createdAt: T0 + n,
    nextAt: T0,
    ...overrides,
  };
}

export function endpointRecord(id: string, overrides: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    id,
    url: `https://${id}.example.com/hook`,
    eventTypes: null,
    enabled: true,
    disabledReason: null,
    rateLimit: null,
    timeoutMs: 15_000,
    secrets: [{ secret: 'whsec_dGVzdA==', expiresAt: null }],
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function attempt(deliveryId: string, statusCode: number | null, errorCode: string | null): AttemptRecord {
  return { deliveryId, n: 0, at: T0, statusCode, latencyMs: 12, response: 'ok', errorCode };
}

/** The one DeliveryStore conformance suite, run against every store implementation. */
export function describeStoreConformance(name: string, harness: StoreHarness): void {
  describe(`DeliveryStore conformance: ${name}`, () => {
    let store: DeliveryStore;
    const extra: DeliveryStore[] = [];

    beforeEach(async () => {
      store = await harness.open();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
    });

    it('persists endpoints and lists them by id', async () => {
      await store.saveEndpoint(endpointRecord('ep_b'));
      await store.saveEndpoint(endpointRecord('ep_a', { eventTypes: ['a'] }));
      await store.saveEndpoint(endpointRecord('ep_a', { enabled: false, disabledReason: 'manual' }));
      expect((await store.listEndpoints()).map((e) => e.id)).toEqual(['ep_a', 'ep_b']);
      expect(await store.getEndpoint('ep_a')).toMatchObject({ enabled: false, disabledReason: 'manual' });
      expect(await store.deleteEndpoint('ep_b')).toBe(true);
      expect(await store.deleteEndpoint('ep_b')).toBe(false);
      expect(await store.getEndpoint('ep_b')).toBeUndefined();
    });

    it('enqueues atomically and ignores a delivery id it already holds', async () => {
      expect(await store.enqueue([delivery(1), delivery(2)])).toEqual([delivery(1).id, delivery(2).id]);
      expect(await store.enqueue([delivery(1, { payload: '{"changed":true}' })])).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 2, inflight: 0, succeeded: 0, dead: 0 });
      expect((await store.getDelivery(delivery(1).id))?.payload).toBe('{"n":1}');
    });

    it('enqueues deliveries named in a lease already claimed by its holder', async () => {
      const lease = { token: 'tok_1', until: T0 + 30_000, ids: new Set([delivery(1).id, delivery(3).id]), now: T0 };
      await store.enqueue([delivery(3)]); // already there: stays pending, not leased
      expect(await store.enqueue([delivery(1), delivery(2), delivery(3)], lease)).toEqual([
        delivery(1).id,
        delivery(2).id,
      ]);
      expect(await store.counts()).toEqual({ pending: 2, inflight: 1, succeeded: 0, dead: 0 });
      expect((await store.claim({ now: T0, leaseMs: 30_000, limit: 10 })).map((d) => d.id)).toEqual([
        delivery(2).id,
        delivery(3).id,
      ]);
      const done = { status: 'succeeded' as const, nextAt: T0, attempt: null, lastError: null, now: T0 + 1 };
      expect(await store.complete(delivery(1).id, 'tok_other', done)).toBe(false);
      expect(await store.complete(delivery(1).id, 'tok_1', done)).toBe(true);
      expect(await store.getDelivery(delivery(1).id)).toMatchObject({ status: 'succeeded', attempts: 0 });
    });

    it('lets another worker re-claim a lease taken at enqueue once it expires', async () => {
      const lease = { token: 'tok_1', until: T0 + 30_000, ids: new Set([delivery(1).id]), now: T0 };
      await store.enqueue([delivery(1)], lease);
      expect(await store.claim({ now: T0 + 29_999, leaseMs: 30_000, limit: 10 })).toEqual([]);
      const [again] = await store.claim({ now: T0 + 30_000, leaseMs: 30_000, limit: 10 });
      expect(again).toMatchObject({ id: delivery(1).id, status: 'inflight' });
      expect(again?.leaseToken).not.toBe('tok_1');
      expect(await store.counts()).toEqual({ pending: 0, inflight: 1, succeeded: 0, dead: 0 });
    });

    it('claims only due deliveries, up to the limit, oldest first', async () => {
      await store.enqueue([delivery(3), delivery(1), delivery(2), delivery(4, { nextAt: T0 + 60_000 })]);
      const claimed = await store.claim({ now: T0, leaseMs: 30_000, limit: 2 });
      expect(claimed.map((d) => d.messageId)).toEqual(['msg_0001', 'msg_0002']);
      expect(claimed[0]).toMatchObject({ status: 'inflight', leaseUntil: T0 + 30_000 });
      expect((await store.claim({ now: T0, leaseMs: 30_000, limit: 10 })).map((d) => d.messageId)).toEqual([
        'msg_0003',
      ]);
      expect(await store.claim({ now: T0 + 29_999, leaseMs: 30_000, limit: 10 })).toEqual([]);
    });

    it('never hands one live lease to two concurrent claimers', async () => {
      await store.enqueue(Array.from({ length: 20 }, (_, i) => delivery(i)));
      const [a, b] = await Promise.all([
        store.claim({ now: T0, leaseMs: 30_000, limit: 15 }),
        store.claim({ now: T0, leaseMs: 30_000, limit: 15 }),
      ]);
      const ids = [...(a ?? []), ...(b ?? [])].map((d) => d.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    it('re-claims an expired lease and fences the old holder out', async () => {
      await store.enqueue([delivery(1)]);
      const [first] = await store.claim({ now: T0, leaseMs: 1_000, limit: 1 });
      expect(await store.claim({ now: T0 + 999, leaseMs: 1_000, limit: 1 })).toEqual([]);
      const [second] = await store.claim({ now: T0 + 1_000, leaseMs: 1_000, limit: 1 });
      expect(second?.id).toBe(first?.id);
      expect(second?.leaseToken).not.toBe(first?.leaseToken);
      const done = { status: 'succeeded' as const, nextAt: T0, attempt: null, lastError: null, now: T0 + 1_001 };
      expect(await store.complete(first!.id, first!.leaseToken, done)).toBe(false);
      expect(await store.complete(second!.id, second!.leaseToken, done)).toBe(true);
      expect((await store.getDelivery(first!.id))?.status).toBe('succeeded');
    });

    it('renews the leases still held and reports the ones lost', async () => {
      await store.enqueue([delivery(1), delivery(2), delivery(3)]);
      const held = await store.claim({ now: T0, leaseMs: 1_000, limit: 3 });
      const [a, b, c] = held;
      // c is handed back and re-claimed by someone else: its old token is fenced out.
      await store.complete(c!.id, c!.leaseToken, {
        status: 'pending',
        nextAt: T0,
        attempt: null,
        lastError: null,
        now: T0,
      });
      const [other] = await store.claim({ now: T0, leaseMs: 1_000, limit: 3 });
      expect(other?.id).toBe(c!.id);
      const renewed = await store.renew(
        [a!, b!, c!, { id: 'missing', leaseToken: 'x' }].map(({ id, leaseToken }) => ({ id, leaseToken })),
        T0 + 5_000,
      );
      expect([...renewed].sort()).toEqual([a!.id, b!.id].sort());
      expect(await store.renew([], T0 + 5_000)).toEqual([]);
      // Renewed leases outlive their first expiry; the re-claimed one expires on its own schedule.
      expect((await store.claim({ now: T0 + 1_000, leaseMs: 10_000, limit: 10 })).map((d) => d.id)).toEqual([c!.id]);
      expect(await store.claim({ now: T0 + 4_999, leaseMs: 1_000, limit: 10 })).toEqual([]);
      expect((await store.claim({ now: T0 + 5_000, leaseMs: 1_000, limit: 10 })).map((d) => d.id).sort()).toEqual(
        [a!.id, b!.id].sort(),
      );
      // A renewal never resurrects a lease that was completed.
      const [d] = await store.claim({ now: T0 + 9_000, leaseMs: 1_000, limit: 1 });
      const done = { status: 'succeeded' as const, nextAt: T0, attempt: null, lastError: null, now: T0 + 9_001 };
      expect(await store.complete(d!.id, d!.leaseToken, done)).toBe(true);
      expect(await store.renew([{ id: d!.id, leaseToken: d!.leaseToken }], T0 + 99_000)).toEqual([]);
      expect((await store.getDelivery(d!.id))?.status).toBe('succeeded');
    });

    it('claims endpoint by endpoint, oldest head first, at most maxPerEndpoint each, skipping excluded ones', async () => {
      const backlog = Array.from({ length: 50 }, (_, i) =>
        delivery(100 + i, { endpointId: 'ep_busy', nextAt: T0 + i }),
      );
      await store.enqueue([
        ...backlog,
        delivery(1, { endpointId: 'ep_b', nextAt: T0 + 10 }),
        delivery(2, { endpointId: 'ep_b', nextAt: T0 + 20 }),
        delivery(3, { endpointId: 'ep_c', nextAt: T0 + 5 }),
        delivery(4, { endpointId: 'ep_d', nextAt: T0 + 60_000 }),
      ]);
      const skipping = await store.claim({ now: T0 + 100, leaseMs: 1_000, limit: 10, excludeEndpoints: ['ep_busy'] });
      expect(skipping.map((d) => d.endpointId).sort()).toEqual(['ep_b', 'ep_b', 'ep_c']);
      const capped = await store.claim({ now: T0 + 100, leaseMs: 1_000, limit: 10, maxPerEndpoint: 4 });
      expect(capped.map((d) => d.messageId)).toEqual(['msg_0100', 'msg_0101', 'msg_0102', 'msg_0103']);
      const rest = await store.claim({ now: T0 + 100, leaseMs: 1_000, limit: 100 });
      expect(rest).toHaveLength(46);
      expect(await store.claim({ now: T0 + 100, leaseMs: 1_000, limit: 100 })).toEqual([]);
      // Expired leases come back with the one delivery that was not due before.
      const later = await store.claim({ now: T0 + 60_000, leaseMs: 1_000, limit: 100 });
      expect(later).toHaveLength(54);
      expect(later.filter((d) => d.endpointId === 'ep_d')).toHaveLength(1);
    });

    it("takes at most an endpoint's cap (the rest of its share), skipping an endpoint capped at 0", async () => {
      await store.enqueue([
        ...Array.from({ length: 6 }, (_, i) => delivery(10 + i, { endpointId: 'ep_part', nextAt: T0 + i })),
        ...Array.from({ length: 3 }, (_, i) => delivery(20 + i, { endpointId: 'ep_full', nextAt: T0 + i })),
        ...Array.from({ length: 5 }, (_, i) => delivery(30 + i, { endpointId: 'ep_free', nextAt: T0 + 10 + i })),
        delivery(40, { endpointId: 'ep_odd', nextAt: T0 + 20 }),
      ]);
      const endpointCaps = new Map([
        ['ep_part', 1],
        ['ep_full', 0],
        ['ep_odd', Number.NaN],
      ]);
      const claimed = await store.claim({ now: T0 + 100, leaseMs: 1_000, limit: 10, maxPerEndpoint: 4, endpointCaps });
      expect(claimed.map((d) => d.messageId).sort()).toEqual([
        'msg_0010',
        'msg_0030',
        'msg_0031',
        'msg_0032',
        'msg_0033',
      ]);
      // A cap above maxPerEndpoint does not raise it; a fractional one is rounded down.
      const again = await store.claim({
        now: T0 + 100,
        leaseMs: 1_000,
        limit: 10,
        maxPerEndpoint: 2,
        endpointCaps: new Map([
          ['ep_part', 9],
          ['ep_full', 1.5],
        ]),
      });
      expect(again.map((d) => d.messageId).sort()).toEqual([
        'msg_0011',
        'msg_0012',
        'msg_0020',
        'msg_0034',
        'msg_0040',
      ]);
    });

    it('records every attempt and schedules retries', async () => {
      await store.enqueue([delivery(1)]);
      const id = delivery(1).id;
      const [c1] = await store.claim({ now: T0, leaseMs: 30_000, limit: 1 });
      await store.complete(id, c1!.leaseToken, {
        status: 'pending',
        nextAt: T0 + 5_000,
        attempt: attempt(id, 500, 'delivery_http_error'),
        lastError: 'http_500',
        now: T0 + 20,
      });
      expect(await store.getDelivery(id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'http_500' });
      expect(await store.claim({ now: T0 + 4_999, leaseMs: 30_000, limit: 1 })).toEqual([]);
      const [c2] = await store.claim({ now: T0 + 5_000, leaseMs: 30_000, limit: 1 });
      expect(c2?.attempts).toBe(1);
      await store.complete(id, c2!.leaseToken, {
        status: 'succeeded',
        nextAt: T0 + 5_000,
        attempt: { ...attempt(id, 204, null), simulated: true },
        lastError: null,
        now: T0 + 5_010,
      });
      const attempts = await store.listAttempts(id);
      expect(attempts.map((a) => [a.n, a.statusCode, a.errorCode, a.simulated])).toEqual([
        [1, 500, 'delivery_http_error', false],
        [2, 204, null, true],
      ]);
      expect(attempts[0]).toMatchObject({ deliveryId: id, latencyMs: 12, response: 'ok' });
      expect(await store.claim({ now: T0 + 999_999, leaseMs: 30_000, limit: 1 })).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: 1, dead: 0 });
    });

    it('hands a lease back without counting an attempt', async () => {
      await store.enqueue([delivery(1)]);
      const [c] = await store.claim({ now: T0, leaseMs: 30_000, limit: 1 });
      await store.complete(c!.id, c!.leaseToken, {
        status: 'pending',
        nextAt: T0,
        attempt: null,
        lastError: null,
        now: T0,
      });
      expect(await store.getDelivery(c!.id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await store.listAttempts(c!.id)).toEqual([]);
      expect(await store.claim({ now: T0, leaseMs: 30_000, limit: 1 })).toHaveLength(1);
    });

    it('keeps a DLQ with stats, listing and requeue', async () => {
      await store.enqueue([delivery(1), delivery(2), delivery(3, { endpointId: 'ep_b' }), delivery(4)]);
      const claimed = await store.claim({ now: T0, leaseMs: 30_000, limit: 10 });
      for (const [i, c] of claimed.entries()) {
        await store.complete(c.id, c.leaseToken, {
          status: i < 3 ? 'dead' : 'succeeded',
          nextAt: T0,
          attempt: attempt(c.id, 500, 'delivery_http_error'),
          lastError: 'http_500',
          now: T0 + 100 + i,
        });
      }
      expect(await store.dlqStats()).toEqual({ size: 3, byEndpoint: { ep_a: 2, ep_b: 1 }, oldestAt: T0 + 100 });
      const page1 = await store.listDeliveries({ status: 'dead', limit: 2 });
      const page2 = await store.listDeliveries({ status: 'dead', limit: 2, after: page1.at(-1)?.id });
      expect([...page1, ...page2].map((d) => d.messageId)).toEqual(['msg_0001', 'msg_0002', 'msg_0003']);
      expect((await store.listDeliveries({ endpointId: 'ep_b' })).map((d) => d.id)).toEqual([
        delivery(3, { endpointId: 'ep_b' }).id,
      ]);

      expect(await store.requeue({ endpointId: 'ep_b', statuses: ['dead'] }, T0 + 500)).toBe(1);
      expect(await store.requeue({ ids: [delivery(1).id, delivery(4).id], statuses: ['dead'] }, T0 + 500)).toBe(1);
      expect(await store.requeue({ ids: [], statuses: ['dead'] }, T0 + 500)).toBe(0);
      expect((await store.dlqStats()).size).toBe(1);
      expect(await store.getDelivery(delivery(1).id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAt: T0 + 500,
      });
      const again = await store.claim({ now: T0 + 500, leaseMs: 30_000, limit: 10 });
      expect(again.map((d) => d.messageId).sort()).toEqual(['msg_0001', 'msg_0003']);
      await store.complete(again[0]!.id, again[0]!.leaseToken, {
        status: 'succeeded',
        nextAt: T0,
        attempt: attempt(again[0]!.id, 200, null),
        lastError: null,
        now: T0 + 600,
      });
      expect((await store.listAttempts(again[0]!.id)).map((a) => a.n)).toEqual([1, 2]);
    });

    it('redelivers every delivery of a message but never touches a live lease', async () => {
      await store.enqueue([delivery(1), delivery(1, { endpointId: 'ep_b' }), delivery(1, { endpointId: 'ep_c' })]);
      const claimed = await store.claim({ now: T0, leaseMs: 30_000, limit: 2 });
      await store.complete(claimed[0]!.id, claimed[0]!.leaseToken, {
        status: 'succeeded',
        nextAt: T0,
        attempt: attempt(claimed[0]!.id, 200, null),
        lastError: null,
        now: T0 + 1,
      });
      const selector = { messageId: 'msg_0001', statuses: ['pending', 'succeeded', 'dead'] as const };
      expect(await store.requeue({ ...selector, statuses: [...selector.statuses] }, T0 + 10)).toBe(2);
      expect(await store.requeue({ messageId: 'msg_0001', statuses: [] }, T0 + 10)).toBe(0);
      expect((await store.getDelivery(claimed[1]!.id))?.status).toBe('inflight');
      expect(await store.counts()).toEqual({ pending: 2, inflight: 1, succeeded: 0, dead: 0 });
      expect((await store.listDeliveries({ messageId: 'msg_0001' })).length).toBe(3);
    });

    it('survives a restart: a reopened store sees the outbox, leases and history', async () => {
      await store.saveEndpoint(endpointRecord('ep_a'));
      await store.enqueue([delivery(1), delivery(2)]);
      const [c] = await store.claim({ now: T0, leaseMs: 1_000, limit: 1 });
      const reopened = await harness.reopen();
      extra.push(reopened);
      expect(await reopened.getEndpoint('ep_a')).toMatchObject({ url: 'https://ep_a.example.com/hook' });
      expect(await reopened.counts()).toEqual({ pending: 1, inflight: 1, succeeded: 0, dead: 0 });
      const after = await reopened.claim({ now: T0 + 1_000, leaseMs: 1_000, limit: 10 });
      expect(after.map((d) => d.id).sort()).toEqual([c!.id, delivery(2).id].sort());
    });

    describePruneConformance(() => store);
  });
}
