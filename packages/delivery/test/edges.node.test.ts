import { createSqliteStore } from '@bulwark/delivery/sqlite';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type DeliveryStore, type DispatcherOptions, retryDelay } from '../src/index.js';

let store: DeliveryStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const NUMERIC_OPTIONS = [
  'concurrency',
  'maxInflightPerEndpoint',
  'prefetch',
  'leaseMs',
  'pollIntervalMs',
  'retryJitter',
  'maxRetryAfterMs',
  'autoDisableAfterMs',
  'rotationOverlapMs',
  'endpointCacheMs',
  'retainSucceededMs',
  'pruneIntervalMs',
] as const;

describe('options: numeric extremes', () => {
  it.each(NUMERIC_OPTIONS)('rejects NaN, -Infinity and a string for `%s`, naming it', (name) => {
    store = createSqliteStore({ path: ':memory:' });
    for (const value of [Number.NaN, Number.NEGATIVE_INFINITY, '5' as unknown as number]) {
      expect(() => createDispatcher({ store: store as DeliveryStore, [name]: value } as DispatcherOptions)).toThrow(
        `\`${name}\``,
      );
    }
  });

  it.each(NUMERIC_OPTIONS.filter((n) => n !== 'retainSucceededMs'))(
    'rejects +Infinity for `%s` (only retainSucceededMs means "forever")',
    (name) => {
      store = createSqliteStore({ path: ':memory:' });
      const options = { store, [name]: Number.POSITIVE_INFINITY } as DispatcherOptions;
      expect(() => createDispatcher(options)).toThrow(`\`${name}\``);
    },
  );

  it('rejects a non-finite wait inside retrySchedule, naming its index', () => {
    store = createSqliteStore({ path: ':memory:' });
    expect(() => createDispatcher({ store: store as DeliveryStore, retrySchedule: [1_000, Number.NaN] })).toThrow(
      '`retrySchedule[1]`',
    );
  });
});

describe('retry schedule edges', () => {
  it('keeps every jittered wait within ±jitter of its base, never negative, for any random() in [0, 1)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.nat({ max: 12 }),
        (schedule, jitter, r, attempt) => {
          const wait = retryDelay(schedule, attempt + 1, jitter, () => r);
          const base = schedule[attempt];
          if (base === undefined) return wait === undefined;
          return (
            wait !== undefined &&
            wait >= 0 &&
            wait >= Math.floor(base * (1 - jitter)) &&
            wait <= Math.ceil(base * (1 + jitter))
          );
        },
      ),
    );
  });

  it('dead-letters exactly after the last scheduled wait: attempt n+1 of an n-wait schedule has no wait', () => {
    expect(retryDelay([5, 10], 2, 0, () => 0.5)).toBe(10);
    expect(retryDelay([5, 10], 3, 0, () => 0.5)).toBeUndefined();
    expect(retryDelay([], 1, 0, () => 0.5)).toBeUndefined();
  });
});

describe('hostile endpoint input', () => {
  it.each([
    ['javascript:alert(1)'],
    ['file:///etc/passwd'],
    ['ftp://example.com/hook'],
    ['https://exa mple.com/hook'],
    ['https://example.com/hook\r\nX-Injected: 1'],
    ['//example.com/hook'],
    [''],
  ])('refuses the URL %j with delivery_invalid_endpoint', async (url) => {
    store = createSqliteStore({ path: ':memory:' });
    const dispatcher = createDispatcher({ store, real: false });
    await expect(dispatcher.endpoints.create({ url })).rejects.toMatchObject({ code: 'delivery_invalid_endpoint' });
  });

  it.each([['has:colon'], ['with space'], ['*'], ['line\nbreak'], ['x'.repeat(500)]])(
    'refuses the endpoint id %j (ids end up in store keys)',
    async (id) => {
      store = createSqliteStore({ path: ':memory:' });
      const dispatcher = createDispatcher({ store, real: false });
      await expect(dispatcher.endpoints.create({ id, url: 'https://a.example.com/hook' })).rejects.toMatchObject({
        code: 'delivery_invalid_endpoint',
      });
    },
  );

  it.each([['msg\r\nX-Injected: 1'], ['../../etc'], ['a b'], [''], ['x'.repeat(200)]])(
    'refuses the message id %j (it is sent as the webhook-id header)',
    async (id) => {
      store = createSqliteStore({ path: ':memory:' });
      const dispatcher = createDispatcher({ store, real: false });
      await expect(dispatcher.publish({ type: 'a', payload: 1, id })).rejects.toMatchObject({
        code: 'delivery_invalid_event',
      });
    },
  );

  it('refuses credentials in an endpoint URL (they would be stored and logged in clear)', async () => {
    store = createSqliteStore({ path: ':memory:' });
    const dispatcher = createDispatcher({ store, real: false });
    await expect(dispatcher.endpoints.create({ url: 'https://user:secret@a.example.com/hook' })).rejects.toMatchObject({
      code: 'delivery_invalid_endpoint',
    });
  });
});
