import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis.js';
import type { Completion } from '../src/store.js';
import { TickBatch } from '../src/stores/tick-batch.js';
import { delivery } from './store-conformance.js';
import { privateRedis } from './support/private-redis.js';

const T0 = 1_700_000_000_000;

const completion = (id: string, status: Completion['status']): Completion => ({
  status,
  nextAt: T0 + 60_000,
  attempt: { deliveryId: id, n: 0, at: T0 + 1, statusCode: 204, latencyMs: 1, response: '', errorCode: null },
  lastError: status === 'succeeded' ? null : 'http_500',
  now: T0 + 2,
});

// A private server: CONFIG RESETSTAT would disturb suites sharing REDIS_URL.
describe('the Redis store writes the calls of one event-loop turn with one script call', () => {
  const redis = privateRedis();

  async function scriptCalls(): Promise<number> {
    const calls = await redis.commandCalls();
    return (calls.get('eval') ?? 0) + (calls.get('evalsha') ?? 0);
  }

  it('answers each completion of a burst on its own (a lost lease is refused), with one COMPLETE call', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: 'complete' });
    await store.enqueue([1, 2, 3, 4, 5].map((n) => delivery(n)));
    const [a, b, c, d, e] = await store.claim({ now: T0 + 10, leaseMs: 30_000, limit: 5 });
    if (!a || !b || !c || !d || !e) throw new Error('expected 5 claimed deliveries');
    // Loads the script into Redis (the first call of a script is EVALSHA, NOSCRIPT, then EVAL).
    expect(await store.complete(e.id, e.leaseToken, completion(e.id, 'succeeded'))).toBe(true);
    await redis.admin.config('RESETSTAT');
    const answers = await Promise.all([
      store.complete(a.id, a.leaseToken, completion(a.id, 'succeeded')),
      store.complete(b.id, 'not-the-lease', completion(b.id, 'succeeded')),
      store.complete(c.id, c.leaseToken, completion(c.id, 'pending')),
      store.complete(d.id, d.leaseToken, completion(d.id, 'dead')),
      store.complete(a.id, a.leaseToken, completion(a.id, 'succeeded')), // already completed above
    ]);
    expect(answers).toEqual([true, false, true, true, false]);
    expect(await scriptCalls()).toBe(1);
    expect(await store.counts()).toEqual({ pending: 1, inflight: 1, succeeded: 2, dead: 1 });
    expect((await store.listAttempts(c.id)).map((x) => x.n)).toEqual([1]);
    // The one handed back is due again at its nextAt, and b's lease (never completed) has expired
    // by then: both are claimable, so the endpoint's head was re-scored.
    const again = await store.claim({ now: T0 + 60_000, leaseMs: 30_000, limit: 4 });
    expect(again.map((x) => x.id)).toEqual([b.id, c.id]);
    await store.close();
  });

  it('updates the status counters once per status a script call changes, not once per delivery', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: 'counters' });
    const ids = Array.from({ length: 20 }, (_, i) => delivery(i + 1));
    await store.enqueue(ids);
    // Loads both scripts (the first call of a script is EVALSHA, NOSCRIPT, then EVAL).
    const [first] = await store.claim({ now: T0 + 10, leaseMs: 30_000, limit: 1 });
    expect(await store.complete(first!.id, first!.leaseToken, completion(first!.id, 'succeeded'))).toBe(true);
    const hincrby = async (): Promise<number> => (await redis.commandCalls()).get('hincrby') ?? 0;
    await redis.admin.config('RESETSTAT');
    const claimed = await store.claim({ now: T0 + 10, leaseMs: 30_000, limit: 19 });
    expect(claimed).toHaveLength(19);
    expect(await hincrby()).toBe(2); // pending -19, inflight +19 (was 38 calls)
    await redis.admin.config('RESETSTAT');
    const odd = { ...completion('', 'succeeded').attempt!, latencyMs: 12.345678901234567, response: '"é" \\ {}' };
    const done = await Promise.all(
      claimed.map((d) =>
        store.complete(d.id, d.leaseToken, { ...completion(d.id, 'succeeded'), attempt: { ...odd, deliveryId: d.id } }),
      ),
    );
    expect(done.every(Boolean)).toBe(true);
    expect(await scriptCalls()).toBe(1);
    expect(await hincrby()).toBe(2); // inflight -19, succeeded +19 (was 38 calls)
    expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: 20, dead: 0 });
    // The attempt is stored as sent, numbered by the store (its n is the delivery's total).
    expect(await store.listAttempts(claimed[0]!.id)).toEqual([
      { ...odd, deliveryId: claimed[0]!.id, n: 1, simulated: false },
    ]);
    await store.close();
  });

  it('inserts concurrent publishes with one ENQUEUE call; an id in two of them is inserted by the first', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: 'enqueue' });
    await store.enqueue([delivery(9)]);
    await redis.admin.config('RESETSTAT');
    const answers = await Promise.all([
      store.enqueue([delivery(1)]),
      store.enqueue([delivery(9), delivery(2), delivery(1)]),
      store.enqueue([]),
      store.enqueue([delivery(3), delivery(2)]),
    ]);
    expect(answers).toEqual([[delivery(1).id], [delivery(2).id], [], [delivery(3).id]]);
    expect(await scriptCalls()).toBe(1);
    expect(await store.counts()).toMatchObject({ pending: 4 });
    await store.close();
  });
});

// One command per key a script call touches, not one per delivery: only the insert-once check
// (HSETNX) and the attempt lists (one key per delivery) take one command per delivery.
describe('the Redis scripts run one command per key, whatever the number of deliveries', () => {
  const redis = privateRedis();

  /** Commands run by the scripts of `work` (INFO commandstats), without the per-delivery ones. */
  async function commandsOf(work: () => Promise<unknown>, perDelivery: string): Promise<number> {
    await redis.admin.config('RESETSTAT');
    await work();
    let calls = 0;
    for (const [command, count] of await redis.commandCalls()) {
      if (!['info', 'config', 'eval', 'evalsha', perDelivery].includes(command)) calls += count;
    }
    return calls;
  }

  async function costs(n: number): Promise<{ enqueue: number; claim: number; complete: number }> {
    const store = createRedisStore({ connection: redis.url, prefix: `per-key:${n}` });
    // One message (one body, one message set) to one endpoint, n deliveries.
    const batch = Array.from({ length: n }, (_, i) => delivery(1, { id: `d${String(i).padStart(3, '0')}` }));
    const enqueue = await commandsOf(() => store.enqueue(batch), 'hsetnx');
    let claimed: Awaited<ReturnType<typeof store.claim>> = [];
    const claim = await commandsOf(async () => {
      claimed = await store.claim({ now: T0 + 10, leaseMs: 30_000, limit: n });
    }, 'none');
    expect(claimed).toHaveLength(n);
    const complete = await commandsOf(async () => {
      const done = await Promise.all(
        claimed.map((d, i) => store.complete(d.id, d.leaseToken, completion(d.id, i % 2 ? 'succeeded' : 'dead'))),
      );
      expect(done.every(Boolean)).toBe(true);
    }, 'rpush');
    expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: n / 2, dead: n / 2 });
    await store.close();
    return { enqueue, claim, complete };
  }

  it('enqueues, claims and completes 2 or 40 deliveries of one endpoint with the same other commands', async () => {
    const few = await costs(2);
    expect(await costs(40)).toEqual(few);
  });
});

describe('TickBatch', () => {
  it('rejects every call of a batch whose flush rejects or throws, and runs the next batch afresh', async () => {
    let mode: 'reject' | 'throw' | 'ok' = 'reject';
    const flushed: number[][] = [];
    const batch = new TickBatch<number, number>((items) => {
      flushed.push([...items]);
      if (mode === 'throw') throw new Error('sync');
      if (mode === 'reject') return Promise.reject(new Error('async'));
      return Promise.resolve(items.map((n) => n * 2));
    });
    await expect(Promise.all([batch.add(1), batch.add(2)])).rejects.toThrow('async');
    mode = 'throw';
    const thrown = [batch.add(3), batch.add(4)].map((p) => p.catch((error: Error) => error.message));
    expect(await Promise.all(thrown)).toEqual(['sync', 'sync']);
    mode = 'ok';
    expect(await Promise.all([batch.add(5), batch.add(6)])).toEqual([10, 12]);
    expect(flushed).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });
});
