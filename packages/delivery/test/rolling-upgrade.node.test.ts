import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis.js';
import type { Completion, NewDelivery } from '../src/store.js';
import { payloadHash } from '../src/stores/payload-hash.js';
import * as previous from './fixtures/redis-scripts-previous.js';
import { delivery } from './store-conformance.js';
import { privateRedis } from './support/private-redis.js';

const T0 = 1_700_000_000_000;
const PREFIX = 'upgrade';

const completion = (id: string, status: Completion['status'], now: number, nextAt = now): Completion => ({
  status,
  nextAt,
  attempt: { deliveryId: id, n: 0, at: now, statusCode: 204, latencyMs: 1, response: '', errorCode: null },
  lastError: status === 'succeeded' ? null : 'http_500',
  now,
});

// A worker of the previous version and one of this version share one Redis during a rolling
// upgrade: the stored format did not change, so each runs its own scripts on the other's records.
describe('a Redis store shared with workers running the previous scripts (rolling upgrade)', () => {
  const redis = privateRedis();

  /** The previous version's worker: its scripts, called with its argument encoding. */
  const old = {
    run: (script: string, args: Array<string | number>) =>
      redis.admin.eval(script, 1, `{${PREFIX}}:d`, `{${PREFIX}}`, ...args.map(String)),
    async enqueue(deliveries: NewDelivery[]): Promise<string[]> {
      const bodies = new Map(deliveries.map((d) => [payloadHash(d.payload), d.payload]));
      const records = deliveries.map((d) =>
        JSON.stringify({
          ...d,
          payload: '',
          payloadHash: payloadHash(d.payload),
          status: 'pending',
          attempts: 0,
          totalAttempts: 0,
          lastError: null,
          nextAt: d.nextAt,
          updatedAt: d.createdAt,
          leaseToken: null,
        }),
      );
      return (await this.run(previous.ENQUEUE, [bodies.size, ...[...bodies].flat(), ...records])) as string[];
    },
    async claim(now: number, until: number, token: string, limit: number): Promise<string[]> {
      const pairs = (await this.run(previous.CLAIM, [now, until, token, limit, limit, 0])) as string[];
      return pairs.flatMap((raw, i) => (i % 2 === 0 ? [(JSON.parse(raw) as { id: string }).id] : []));
    },
    async complete(id: string, token: string, c: Completion): Promise<boolean> {
      const attempt = JSON.stringify({ ...c.attempt, n: undefined });
      const args = [id, token, c.status, c.nextAt, JSON.stringify(c.lastError), c.now, attempt];
      return ((await this.run(previous.COMPLETE, args)) as number[])[0] === 1;
    },
  };

  it('claims, fences and completes across versions, keeping counters, queues and payload references exact', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: PREFIX });
    // One message to two endpoints (one shared body) from each version, plus one more each.
    const fromOld = [delivery(1), delivery(1, { endpointId: 'ep_b' }), delivery(2)];
    const fromNew = [delivery(3), delivery(3, { endpointId: 'ep_b' }), delivery(4)];
    expect(await old.enqueue(fromOld)).toEqual(fromOld.map((d) => d.id));
    expect(await store.enqueue(fromNew)).toEqual(fromNew.map((d) => d.id));
    expect(await redis.admin.hlen(`{${PREFIX}}:pl`)).toBe(4);

    // The old worker leases 4 (oldest first per endpoint), the new one the other 2.
    const oldIds = await old.claim(T0 + 10, T0 + 1_000, 'old-lease', 4);
    const newClaim = await store.claim({ now: T0 + 10, leaseMs: 30_000, limit: 10 });
    expect(oldIds).toHaveLength(4);
    expect([...oldIds, ...newClaim.map((d) => d.id)].sort()).toEqual([...fromOld, ...fromNew].map((d) => d.id).sort());
    // New bodies reach the old worker's claims and old bodies the new one's.
    for (const d of newClaim) expect(d.payload).toBe([...fromOld, ...fromNew].find((x) => x.id === d.id)?.payload);

    // The old worker's leases expire: this version re-claims what the old scripts wrote.
    const [late, ...retaken] = oldIds;
    const reclaimed = await store.claim({ now: T0 + 2_000, leaseMs: 30_000, limit: 10 });
    expect(reclaimed.map((d) => d.id).sort()).toEqual([...oldIds].sort());
    expect(await old.complete(late!, 'old-lease', completion(late!, 'succeeded', T0 + 2_001))).toBe(false);

    // This version completes: one retry later, one dead, the rest succeeded.
    const [retry, dead, ...ok] = [...reclaimed, ...newClaim];
    expect(
      await store.complete(retry!.id, retry!.leaseToken, completion(retry!.id, 'pending', T0 + 2_100, T0 + 5_000)),
    ).toBe(true);
    expect(await store.complete(dead!.id, dead!.leaseToken, completion(dead!.id, 'dead', T0 + 2_100))).toBe(true);
    for (const d of ok)
      expect(await store.complete(d.id, d.leaseToken, completion(d.id, 'succeeded', T0 + 2_100))).toBe(true);
    expect(retaken).toHaveLength(3);

    // The retry is due again: the old worker claims what this version wrote and completes it.
    expect(await old.claim(T0 + 4_999, T0 + 9_000, 'old-2', 10)).toEqual([]);
    expect(await old.claim(T0 + 5_000, T0 + 9_000, 'old-2', 10)).toEqual([retry!.id]);
    expect(await old.complete(retry!.id, 'old-2', completion(retry!.id, 'succeeded', T0 + 5_001))).toBe(true);

    expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: 5, dead: 1 });
    expect((await store.listAttempts(retry!.id)).map((a) => a.n)).toEqual([1, 2]);
    expect(await store.getDelivery(retry!.id)).toMatchObject({ status: 'succeeded', attempts: 2, lastError: null });
    expect(await store.dlqStats()).toMatchObject({ size: 1 });
    expect(await redis.admin.zcard(`{${PREFIX}}:heads`)).toBe(0);
    // Pruning every succeeded delivery keeps only the dead one's body.
    expect(await store.prune({ before: T0 + 10_000, limit: 100 })).toBe(5);
    expect(await redis.admin.hvals(`{${PREFIX}}:pl`)).toEqual([dead!.payload]);
    await store.close();
  });
});
