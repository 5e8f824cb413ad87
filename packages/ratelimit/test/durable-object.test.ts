import { FakeClock, settle } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRecord, recordKey } from '../src/durable-object/key-state.js';
import { parseOutcomes, parseRequest } from '../src/durable-object/protocol.js';
import { shardOf } from '../src/durable-object/shard.js';
import {
  createDurableObjectStore,
  type DurableObjectNamespaceLike,
  type DurableObjectStorageLike,
  RateLimitDurableObject,
} from '../src/durable-object.js';
import { type Algorithm, createMemoryStore, createRateLimiter, type ResolvedPolicy } from '../src/index.js';

const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];
const quiet = { warn() {} };

/** Durable Object storage in a Map, with every operation a real promise (as in workerd). */
class MapStorage implements DurableObjectStorageLike {
  readonly map = new Map<string, unknown>();
  alarm: number | undefined;
  failGet = false;
  async get(key: string): Promise<unknown> {
    await Promise.resolve();
    if (this.failGet) throw new Error('storage unavailable');
    return this.map.get(key);
  }
  async put(key: string, value: unknown): Promise<void> {
    await Promise.resolve();
    this.map.set(key, structuredClone(value));
  }
  async delete(key: string): Promise<boolean> {
    return this.map.delete(key);
  }
  async list(): Promise<Map<string, unknown>> {
    return new Map(this.map);
  }
  async setAlarm(at: number): Promise<void> {
    this.alarm = at;
  }
}

/** A namespace whose objects run in this process, one storage per object name. */
function namespace(clock: FakeClock) {
  const objects = new Map<string, { object: RateLimitDurableObject; storage: MapStorage }>();
  const instance = (name: string) => {
    let found = objects.get(name);
    if (found === undefined) {
      const storage = new MapStorage();
      found = { object: new RateLimitDurableObject({ storage }, {}, { clock }), storage };
      objects.set(name, found);
    }
    return found;
  };
  const binding: DurableObjectNamespaceLike<string> = {
    idFromName: (name) => name,
    get: (id) => ({ fetch: (url, init) => instance(id).object.fetch(new Request(url, init)) }),
  };
  return { binding, objects, instance };
}

function policy(algorithm: Algorithm, limit: number, windowMs: number, name = 'p'): ResolvedPolicy {
  return { name, algorithm, limit, windowMs };
}

describe('Durable Object store', () => {
  it.each(ALL)('%s: exactly `limit` of 50 concurrent calls for one key are allowed', async (algorithm) => {
    const clock = new FakeClock(1_700_000_000_000);
    const ns = namespace(clock);
    const limiter = createRateLimiter({
      limit: 7,
      windowMs: 60_000,
      algorithm,
      clock,
      timers: clock,
      store: createDurableObjectStore({ namespace: ns.binding, clock }),
    });
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.limit('user-1')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.reason === 'limited')).toBe(true);
  });

  it('decides exactly as the memory store, for random multi-policy sequences (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            algorithm: fc.constantFrom(...ALL),
            limit: fc.integer({ min: 1, max: 5 }),
            windowMs: fc.integer({ min: 1, max: 5_000 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.array(fc.record({ wait: fc.integer({ min: 0, max: 3_000 }), cost: fc.integer({ min: 0, max: 6 }) }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (specs, calls) => {
          const policies = specs.map((s, i) => policy(s.algorithm, s.limit, s.windowMs, `p${i}`));
          const clock = new FakeClock(1_000_000);
          const memory = createMemoryStore({ clock });
          const store = createDurableObjectStore({ namespace: namespace(clock).binding, shards: 3, clock });
          for (const { wait, cost } of calls) {
            clock.advance(wait);
            const expected = memory.decide('k', policies, cost).map(({ policy: _, ...o }) => o);
            expect(await store.decide('k', policies, cost)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('one object per key without shards; per hash bucket with shards', () => {
    const clock = new FakeClock();
    const perKey = createDurableObjectStore({ namespace: namespace(clock).binding });
    expect(perKey.objectName('a')).toBe('rl:key:a');
    const sharded = createDurableObjectStore({ namespace: namespace(clock).binding, shards: 8, prefix: 'api:' });
    expect(sharded.objectName('a')).toBe(`api:shard:${shardOf('a', 8)}`);
    const buckets = new Set(Array.from({ length: 400 }, (_, i) => shardOf(`client-${i}`, 8)));
    expect(buckets.size).toBe(8);
  });

  it('keeps two limiters sharing an object apart, and reset forgets one key', async () => {
    const clock = new FakeClock(5_000);
    const ns = namespace(clock);
    const store = createDurableObjectStore({ namespace: ns.binding, shards: 1, clock });
    const a = [policy('fixed-window', 1, 1_000, 'a')];
    const b = [policy('fixed-window', 1, 1_000, 'b')];
    expect((await store.decide('k', a, 1))[0]?.allowed).toBe(true);
    expect((await store.decide('k', b, 1))[0]?.allowed).toBe(true);
    expect((await store.decide('k', a, 1))[0]?.allowed).toBe(false);
    await store.reset('k', a);
    expect((await store.decide('k', a, 1))[0]?.allowed).toBe(true);
    expect((await store.decide('k', b, 1))[0]?.allowed).toBe(false);
  });

  it('a decision that reaches the object after its deadline consumes nothing (store_timeout)', async () => {
    const clock = new FakeClock(10_000);
    const ns = namespace(clock);
    const store = createDurableObjectStore({ namespace: ns.binding, clock });
    const p = [policy('gcra', 1, 1_000)];
    const late = store.decide('k', p, 1, 50);
    clock.advance(51);
    await expect(late).rejects.toMatchObject({ reason: 'store_timeout' });
    expect((await store.decide('k', p, 1, 50))[0]?.allowed).toBe(true);
  });

  it('fails closed when the object throws, answers garbage, or is unreachable', async () => {
    const clock = new FakeClock(10_000);
    const ns = namespace(clock);
    const p = [policy('gcra', 5, 1_000)];
    ns.instance('rl:key:k').storage.failGet = true;
    const broken = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      algorithm: 'gcra',
      clock,
      timers: clock,
      logger: quiet,
      store: createDurableObjectStore({ namespace: ns.binding, clock }),
    });
    expect(await broken.limit('k')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
    const answers: Array<() => Response> = [
      () => new Response('{"outcomes":[{"allowed":true}]}'),
      () => new Response('{"outcomes":[]}'),
      () => new Response('{"outcomes":[{"allowed":true,"remaining":-1,"resetMs":0,"retryAfterMs":0}]}'),
      () => new Response('{"outcomes":[{"allowed":true,"remaining":1,"resetMs":0,"retryAfterMs":0,"x":1}]}'),
      () => new Response('{"outcomes":[7]}'),
      () => new Response('null'),
      () => new Response('not json'),
      () => new Response('', { status: 500 }),
    ];
    for (const answer of answers) {
      const store = createDurableObjectStore({
        namespace: { idFromName: (n) => n, get: () => ({ fetch: async () => answer() }) },
      });
      await expect(store.decide('k', p, 1)).rejects.toThrow();
    }
    const down = createDurableObjectStore({
      namespace: {
        idFromName: () => {
          throw new Error('no binding');
        },
        get: () => ({ fetch: async () => new Response() }),
      },
    });
    await expect(down.decide('k', p, 1)).rejects.toThrow('no binding');
    await expect(down.reset('k', p)).rejects.toThrow('no binding');
    const refusing = createDurableObjectStore({
      namespace: { idFromName: (n) => n, get: () => ({ fetch: async () => new Response(null, { status: 503 }) }) },
    });
    await expect(refusing.reset('k', p)).rejects.toMatchObject({ reason: 'store_unavailable' });
  });

  it('a stalled object is denied at the deadline (store_timeout) with the call still in flight', async () => {
    const clock = new FakeClock(10_000);
    const stalled = createDurableObjectStore({
      namespace: { idFromName: (n) => n, get: () => ({ fetch: () => new Promise<Response>(() => {}) }) },
    });
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1_000,
      deadlineMs: 25,
      clock,
      timers: clock,
      logger: quiet,
      store: stalled,
    });
    const pending = limiter.limit('k');
    clock.advance(25);
    await settle();
    clock.advance(0);
    expect(await pending).toMatchObject({ allowed: false, reason: 'store_timeout' });
  });

  it('rejects bad options', () => {
    const clock = new FakeClock();
    expect(() => createDurableObjectStore({ namespace: {} as DurableObjectNamespaceLike })).toThrow(TypeError);
    expect(() => createDurableObjectStore({ namespace: undefined as unknown as DurableObjectNamespaceLike })).toThrow(
      TypeError,
    );
    expect(() => createDurableObjectStore({ namespace: namespace(clock).binding, shards: 0 })).toThrow(RangeError);
    expect(() => createDurableObjectStore({ namespace: namespace(clock).binding, shards: 1.5 })).toThrow(RangeError);
    expect(() =>
      createDurableObjectStore({ namespace: namespace(clock).binding, prefix: 3 as unknown as string }),
    ).toThrow(TypeError);
  });
});

describe('RateLimitDurableObject', () => {
  const p = [policy('fixed-window', 2, 1_000)];
  const post = (body: unknown) =>
    new Request('https://do/decide', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('answers 400 to anything that is not exactly the protocol, and consumes nothing', async () => {
    const storage = new MapStorage();
    const object = new RateLimitDurableObject({ storage });
    const good = { op: 'decide', key: 'k', policies: p, cost: 1 };
    const bad: unknown[] = [
      'not json',
      null,
      [],
      { ...good, op: 'drop' },
      { ...good, extra: 1 },
      { ...good, key: '' },
      { ...good, key: 'x'.repeat(513) },
      { ...good, key: 7 },
      { ...good, policies: [] },
      { ...good, policies: 'p' },
      { ...good, policies: Array.from({ length: 17 }, () => p[0]) },
      { ...good, policies: [null] },
      { ...good, policies: [{ ...p[0], extra: true }] },
      { ...good, policies: [{ ...p[0], name: '' }] },
      { ...good, policies: [{ ...p[0], name: 'n'.repeat(65) }] },
      { ...good, policies: [{ ...p[0], algorithm: 'leaky' }] },
      { ...good, policies: [{ ...p[0], limit: 0 }] },
      { ...good, policies: [{ ...p[0], limit: 1.5 }] },
      { ...good, policies: [{ ...p[0], windowMs: 0 }] },
      { ...good, policies: [{ ...p[0], windowMs: Number.POSITIVE_INFINITY }] },
      { ...good, cost: -1 },
      { ...good, cost: '1' },
      { ...good, deadline: 'soon' },
      { op: 'reset', key: 'k', policies: p, cost: 1 },
    ];
    for (const body of bad) {
      const response = await object.fetch(post(body));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'bad_request' });
    }
    expect(storage.map.size).toBe(0);
  });

  it('persists state in storage: a new instance over the same storage continues the window', async () => {
    const clock = new FakeClock(1_000_000);
    const storage = new MapStorage();
    const first = new RateLimitDurableObject({ storage }, {}, { clock });
    const decide = async (o: RateLimitDurableObject) =>
      (
        (await (await o.fetch(post({ op: 'decide', key: 'k', policies: p, cost: 1 }))).json()) as {
          outcomes: Array<{ allowed: boolean }>;
        }
      ).outcomes[0]?.allowed;
    expect(await decide(first)).toBe(true);
    const second = new RateLimitDurableObject({ storage }, {}, { clock });
    expect(await decide(second)).toBe(true);
    expect(await decide(second)).toBe(false);
  });

  it('its alarm deletes spent records and reschedules for the rest', async () => {
    const clock = new FakeClock(1_000_000);
    const storage = new MapStorage();
    const object = new RateLimitDurableObject({ storage }, {}, { clock });
    await object.fetch(post({ op: 'decide', key: 'a', policies: p, cost: 1 }));
    expect(storage.alarm).toBe(1_002_000);
    clock.advance(1_500);
    await object.fetch(post({ op: 'decide', key: 'b', policies: p, cost: 1 }));
    expect(storage.alarm).toBe(1_002_000);
    storage.map.set('junk', 'not a record');
    clock.set(1_002_000);
    await object.alarm();
    expect([...storage.map.keys()]).toEqual([recordKey('b', p)]);
    expect(storage.alarm).toBe(1_003_500);
    clock.set(1_003_500);
    await object.alarm();
    expect(storage.map.size).toBe(0);
    await object.fetch(post({ op: 'decide', key: 'c', policies: p, cost: 1 }));
    expect(storage.alarm).toBe(1_005_500);
  });

  it('a storage failure fails only that request; the next ones are decided', async () => {
    const storage = new MapStorage();
    const object = new RateLimitDurableObject({ storage });
    storage.failGet = true;
    await expect(object.fetch(post({ op: 'decide', key: 'k', policies: p, cost: 1 }))).rejects.toThrow(
      'storage unavailable',
    );
    storage.failGet = false;
    expect((await object.fetch(post({ op: 'decide', key: 'k', policies: p, cost: 1 }))).status).toBe(200);
  });
});

describe('key state', () => {
  it('reads an expired record, or one for another policy count, as an unseen key', () => {
    const p1 = [policy('fixed-window', 1, 1_000)];
    const spent = decideRecord(undefined, p1, 1, 0).record;
    expect(decideRecord(spent, p1, 1, 500).outcomes[0]?.allowed).toBe(false);
    expect(decideRecord(spent, p1, 1, 2_000).outcomes[0]?.allowed).toBe(true);
    expect(decideRecord(spent, [...p1, policy('gcra', 1, 1_000, 'q')], 1, 500).outcomes[0]?.allowed).toBe(true);
    expect(decideRecord(spent, p1, 0, 500).record).toBeUndefined();
  });

  it('parses outcomes and requests strictly', () => {
    expect(() =>
      parseOutcomes({ outcomes: [{ allowed: true, remaining: Number.NaN, resetMs: 0, retryAfterMs: 0 }] }, 1),
    ).toThrow();
    expect(parseRequest({ op: 'reset', key: 'k', policies: [policy('gcra', 1, 1)] })).toMatchObject({ op: 'reset' });
    expect(
      parseRequest({ op: 'decide', key: 'k', policies: [policy('gcra', 1, 1)], cost: 0, deadline: 5 }),
    ).toMatchObject({ deadline: 5 });
  });
});
